"""Chat widget end to end: the demo page in real headless Chromium against the real bot.

One bot stack and one widget web server per module. Chromium is Debian's ``chromium``
package, driven by Python Playwright (never ``playwright install``). Screenshots go to
``tests/artifacts/`` (git-ignored).
"""

from __future__ import annotations

import json

import re
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import requests

from bot.config import PROJECT_ROOT
from bot.serve import Stack, start_stack, wait_until_ready
from tests.conftest import free_port, stack_settings

try:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except ImportError:  # reported by the browser fixture, so collection still works
    sync_playwright = None  # type: ignore[assignment]

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
STORAGE_KEY = "gruendungslotse:v1"

LAUNCHER = "Gründungslotse – Chat"
DIALOG = "Gründungslotse – Chat"
QUESTION = "Wie melde ich ein Gewerbe an?"
UNREACHABLE = "Der Dienst ist gerade nicht erreichbar"
WAIT_MS = 30_000

# Returns what has the focus inside the widget's shadow root (or the page's active tag).
ACTIVE_JS = """() => {
  const root = document.getElementById('gruendungslotse-widget').shadowRoot;
  const el = root.activeElement;
  if (!el) return {inWidget: false, tag: document.activeElement.tagName, cls: '', text: ''};
  return {inWidget: true, tag: el.tagName, cls: el.className, text: el.textContent.trim()};
}"""


# --------------------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def widget_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def stack(model_path: Path, tmp_path_factory: pytest.TempPathFactory,
          widget_port: int) -> Iterator[Stack]:
    """The real bot, with Rasa's CORS origin set to the widget server (overrides conftest)."""
    settings = stack_settings(tmp_path_factory.mktemp("widget-state"),
                              cors_origins=[f"http://127.0.0.1:{widget_port}"])
    running = start_stack(settings, model_path)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def site(stack: Stack, widget_port: int) -> Iterator[str]:
    """``bot.channels.webserver`` in its own process, started like ``make run`` does."""
    log = open(stack.log_dir / "widget.log", "ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.channels.webserver", "--host", "127.0.0.1",
         "--port", str(widget_port), "--rasa-url", stack.settings.rasa_url],
        cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{widget_port}"
    try:
        wait_until_ready(f"{url}/healthz", 30, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator["Browser"]:
    if sync_playwright is None:
        pytest.fail("Playwright fehlt: .venv/bin/pip install playwright==1.65.2 "
                    "axe-playwright-python==0.1.8")
    if not CHROMIUM.exists():
        pytest.fail("Chromium fehlt: apt-get install -y chromium")
    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as playwright:
        running = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield running
        running.close()


@pytest.fixture
def page_errors() -> List[str]:
    return []


@pytest.fixture
def page(browser: "Browser", page_errors: List[str]) -> Iterator["Page"]:
    """A fresh tab (own sessionStorage) at desktop size; JS and console errors are collected."""
    context = browser.new_context(viewport=DESKTOP, locale="de-DE")
    tab = context.new_page()
    watch_errors(tab, page_errors)
    yield tab
    context.close()


# --------------------------------------------------------------------------- helpers

def dialog(page: "Page") -> Any:
    return page.get_by_role("dialog", name=DIALOG)


def launcher(page: "Page") -> Any:
    return page.get_by_role("button", name=LAUNCHER, exact=True)


def bot_messages(page: "Page") -> Any:
    return page.locator(".glw-log .glw-msg-bot, .glw-log .glw-msg-error")


def user_messages(page: "Page") -> Any:
    return page.locator(".glw-log .glw-msg-user .glw-bubble")


def ask(page: "Page", text: str) -> Any:
    """Type ``text`` into the widget, press Enter and return the first new bot message."""
    before = bot_messages(page).count()
    field = page.get_by_role("textbox", name="Ihre Nachricht")
    field.fill(text)
    field.press("Enter")
    return wait_for_answer(page, before)


def wait_for_answer(page: "Page", before: int) -> Any:
    expect(bot_messages(page)).not_to_have_count(before)
    expect(page.locator(".glw-typing-active")).to_have_count(0)
    return bot_messages(page).nth(before)


def active(page: "Page") -> Dict[str, Any]:
    return page.evaluate(ACTIVE_JS)


def stored_state(page: "Page") -> Dict[str, Any]:
    return page.evaluate(f"JSON.parse(sessionStorage.getItem('{STORAGE_KEY}'))")


def watch_errors(page: "Page", errors: List[str]) -> None:
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    page.on("console", lambda msg: msg.type == "error" and errors.append(f"console: {msg.text}"))


def assert_no_serious_axe_violations(page: "Page", errors: List[str]) -> None:
    """axe-core scan of the whole page; no serious or critical violation allowed."""
    before = len(errors)
    results = Axe().run(page)
    del errors[before:]  # axe's own inline style is (rightly) refused by the demo page's CSP
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, results.generate_report()


def screenshot(page: "Page", name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path))
    return path


def mock_bot(page: "Page", stack: Stack, replies: List[Dict[str, Any]]) -> None:
    """Answer the widget's next messages with ``replies`` instead of the real bot."""
    page.route(f"{stack.settings.rasa_url}/webhooks/rest/webhook", lambda route: route.fulfill(
        status=200, json=replies, headers={"Access-Control-Allow-Origin": "*"}))


# --------------------------------------------------------------------------- tests

def test_demo_page_serves_widget_with_one_script_tag(site: str, stack: Stack) -> None:
    html = requests.get(f"{site}/", timeout=10)
    assert html.status_code == 200 and "Musterstadt Wirtschaftsförderung" in html.text
    assert html.text.count("<script") == 1  # the embedding is exactly one tag
    assert f'data-server-url="{stack.settings.rasa_url}"' in html.text
    assert "script-src 'self'" in html.headers["Content-Security-Policy"]
    script = requests.get(f"{site}/widget/gruendungslotse.js", timeout=10)
    assert script.headers["Content-Type"].startswith("text/javascript")
    assert not re.search(r"\.(inner|outer)HTML\s*=|insertAdjacentHTML|document\.write", script.text)
    css = requests.get(f"{site}/widget/gruendungslotse.css", timeout=10)
    assert css.headers["Content-Type"].startswith("text/css")
    assert requests.get(f"{site}/widget/../webserver.py", timeout=10).status_code == 404


def test_conversation_with_links_buttons_reload_and_reset(
        page: "Page", page_errors: List[str], site: str, stack: Stack) -> None:
    page.goto(site)
    expect(dialog(page)).to_be_hidden()
    launcher(page).click()
    expect(dialog(page)).to_be_visible()
    notice = dialog(page).locator(".glw-notice")
    expect(notice).to_contain_text("Bitte geben Sie keine persönlichen Daten ein")
    expect(notice).to_contain_text("nach 30 Tagen gelöscht")

    answer = ask(page, QUESTION)
    expect(answer).to_contain_text("Gewerbeamt")
    expect(user_messages(page).last).to_have_text(f"Sie: {QUESTION}")
    link = answer.locator("a").first
    expect(link).to_have_attribute("href", re.compile(r"^https://"))
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    assert_no_serious_axe_violations(page, page_errors)
    screenshot(page, "widget-desktop-1280x800.png")

    # a button in the answer: its title appears as the user's message, its payload is sent
    before = bot_messages(page).count()
    answer.get_by_role("button", name="Wer ist bei mir zuständig?").click()
    expect(user_messages(page).last).to_have_text("Sie: Wer ist bei mir zuständig?")
    follow_up = wait_for_answer(page, before)
    expect(follow_up).to_contain_text("Ort oder Landkreis")  # the contact search asks for the place
    expect(follow_up).not_to_contain_text(UNREACHABLE)

    # reload: same conversation (sender id and history), still open
    sender = stored_state(page)["sender"]
    page.reload()
    expect(dialog(page)).to_be_visible()
    expect(user_messages(page)).to_have_count(2)
    expect(bot_messages(page).filter(has_text="Gewerbeamt")).to_have_count(1)
    assert stored_state(page)["sender"] == sender
    tracker = requests.get(f"{stack.settings.rasa_url}/conversations/{sender}/tracker",
                           params={"token": stack.token}, timeout=30).json()
    assert [e["text"] for e in tracker["events"] if e["event"] == "user"] == [
        QUESTION, '/contact_human{"thema": "gewerbe"}']  # the button's payload was sent, its title shown

    # "Neues Gespräch": new sender id, empty history, notice shown again
    dialog(page).get_by_role("button", name="Neues Gespräch").click()
    expect(user_messages(page)).to_have_count(0)
    expect(notice).to_be_visible()
    assert stored_state(page)["sender"] != sender and stored_state(page)["messages"] == []
    assert active(page)["cls"] == "glw-input"
    assert page_errors == []


def test_everything_works_by_keyboard(page: "Page", page_errors: List[str], site: str) -> None:
    page.goto(site)
    for _ in range(30):  # Tab through the page until the launcher has the focus
        page.keyboard.press("Tab")
        if active(page)["cls"] == "glw-launcher":
            break
    else:
        pytest.fail("Startknopf des Chats ist mit Tab nicht erreichbar")
    expect(launcher(page)).to_have_attribute("aria-expanded", "false")

    page.keyboard.press("Enter")
    expect(dialog(page)).to_be_visible()
    expect(launcher(page)).to_have_attribute("aria-expanded", "true")
    assert active(page)["cls"] == "glw-input"  # focus moved into the dialog

    before = bot_messages(page).count()
    page.keyboard.type(QUESTION)
    page.keyboard.press("Enter")
    answer = wait_for_answer(page, before)
    expect(answer).to_contain_text("Gewerbeamt")
    assert active(page)["cls"] == "glw-input"  # still typing-ready

    # Shift+Tab from the input reaches the last button (the 👍/👎 question after an FAQ answer)
    page.keyboard.press("Shift+Tab")
    focused = active(page)
    assert focused["cls"] == "glw-choice", focused
    titles = bot_messages(page).last.locator(".glw-choice").all_inner_texts()
    assert titles == ["👍 Ja", "👎 Nein"]
    assert focused["text"] == titles[-1]
    before = bot_messages(page).count()
    page.keyboard.press("Enter")
    expect(user_messages(page).last).to_have_text(f"Sie: {titles[-1]}")
    expect(wait_for_answer(page, before)).not_to_contain_text(UNREACHABLE)

    # Tab order: header (Neues Gespräch → Schließen) → history → … → input → send → launcher
    for _ in range(60):
        page.keyboard.press("Shift+Tab")
        if active(page)["cls"] == "glw-reset":
            break
    else:
        pytest.fail("„Neues Gespräch“ ist mit Shift+Tab nicht erreichbar")
    order = []
    for _ in range(2):
        page.keyboard.press("Tab")
        order.append(active(page)["cls"])
    assert order == ["glw-close", "glw-log"]
    page.get_by_role("textbox", name="Ihre Nachricht").focus()
    page.keyboard.press("Tab")
    assert active(page)["cls"] == "glw-send"
    page.keyboard.press("Tab")
    assert active(page)["cls"] == "glw-launcher"

    # Escape closes from anywhere inside and returns the focus to the launcher
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Escape")
    expect(dialog(page)).to_be_hidden()
    assert active(page)["cls"] == "glw-launcher"
    expect(launcher(page)).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(dialog(page)).to_be_visible()
    assert active(page)["cls"] == "glw-input"
    expect(user_messages(page)).to_have_count(2)
    page.keyboard.press("Escape")
    expect(dialog(page)).to_be_hidden()
    assert active(page)["cls"] == "glw-launcher"
    assert page_errors == []


def test_html_in_messages_is_shown_as_text(page: "Page", page_errors: List[str],
                                           site: str, stack: Stack) -> None:
    page.goto(site)
    launcher(page).click()
    hostile = '<b>fett</b> <img src=x onerror="window.__xss = 1"> <script>window.__xss = 2</script>'

    # the user's own input, through the real bot
    ask(page, hostile)
    expect(user_messages(page).last).to_have_text(f"Sie: {hostile}")

    # a bot reply carrying HTML (the real bot never sends any, so the reply is intercepted)
    mock_bot(page, stack, [
        {"recipient_id": "x", "text": f"Antwort mit {hostile} und https://example.org/?a=<i>x</i>",
         "buttons": [{"title": "<i>kursiv</i>", "payload": "/x"}], "image": "javascript:alert(1)"},
    ])
    answer = ask(page, "Test")
    expect(answer).to_contain_text(hostile)
    expect(answer.get_by_role("button", name="<i>kursiv</i>")).to_be_visible()
    log = page.locator(".glw-log")
    for tag in ("b", "i", "img", "script"):
        expect(log.locator(tag)).to_have_count(0)
    for href in answer.locator("a").evaluate_all("links => links.map(a => a.href)"):
        assert href.startswith("https://example.org/")
    assert page.evaluate("window.__xss") is None
    assert page_errors == []


def test_settings_from_data_attributes_and_config_object(
        page: "Page", page_errors: List[str], site: str, stack: Stack) -> None:
    own_page = f"""<!doctype html><html lang="de"><head><title>Eigene Seite</title></head>
      <body><main><h1>Eigene Seite</h1>
      <button type="button" data-gruendungslotse-open>Chat öffnen</button></main>
      <script>window.GruendungslotseConfig = {{title: "Wird überschrieben", retentionDays: 14}};</script>
      <script src="/widget/gruendungslotse.js" data-server-url="{stack.settings.rasa_url}"
        data-title="Stadtlotse" data-primary-color="#FFD700" data-start-open="true"
        data-position="left"></script></body></html>"""
    page.route(f"{site}/eigene-seite.html", lambda route: route.fulfill(
        body=own_page, content_type="text/html; charset=utf-8"))
    page.goto(f"{site}/eigene-seite.html")
    panel = page.get_by_role("dialog", name="Stadtlotse – Chat")
    expect(panel).to_be_visible()  # data-start-open
    assert not active(page)["inWidget"]  # opening on load does not steal the focus
    expect(panel.locator(".glw-notice")).to_contain_text("nach 14 Tagen gelöscht")
    header = panel.locator(".glw-header")
    # light primary colour: dark text on it, and links/buttons fall back to dark text
    assert header.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(255, 215, 0)"
    assert header.evaluate("el => getComputedStyle(el).color") == "rgb(31, 35, 40)"
    assert (page.locator(".glw-choice").first.evaluate("el => getComputedStyle(el).color")
            == "rgb(31, 35, 40)")
    box = page.get_by_role("button", name="Stadtlotse – Chat", exact=True).bounding_box()
    assert box and box["x"] < 100  # data-position="left"

    panel.get_by_role("button", name="Chat schließen").click()
    expect(panel).to_be_hidden()
    page.get_by_role("button", name="Chat öffnen").click()  # data-gruendungslotse-open
    expect(panel).to_be_visible()
    assert active(page)["cls"] == "glw-input"
    assert page_errors == []


def test_images_and_network_failure(page: "Page", site: str, stack: Stack) -> None:
    page.goto(site)
    launcher(page).click()
    image_url = "https://bilder.musterstadt.example/plan.png"
    page.route(image_url, lambda route: route.fulfill(
        status=200, content_type="image/svg+xml",
        body='<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"/>'))
    mock_bot(page, stack, [{"recipient_id": "x", "image": image_url,
                            "text": "Plan (Quelle: www.115.de). Fragen: info@musterstadt.example."}])
    answer = ask(page, "Bild bitte")
    expect(answer.get_by_role("img", name="Bild zur Antwort")).to_have_attribute("src", image_url)
    hrefs = answer.locator("a").evaluate_all("links => links.map(a => a.href)")
    assert hrefs == ["https://www.115.de/", "mailto:info@musterstadt.example"]

    page.unroute(f"{stack.settings.rasa_url}/webhooks/rest/webhook")
    page.route(f"{stack.settings.rasa_url}/webhooks/rest/webhook",
               lambda route: route.abort("connectionrefused"))
    expect(ask(page, "Hallo")).to_contain_text(UNREACHABLE)

    page.unroute(f"{stack.settings.rasa_url}/webhooks/rest/webhook")
    page.route(f"{stack.settings.rasa_url}/webhooks/rest/webhook", lambda route: route.fulfill(
        status=500, body="kaputt", headers={"Access-Control-Allow-Origin": "*"}))
    expect(ask(page, "Hallo")).to_contain_text(UNREACHABLE)


def test_a_gateway_error_is_repeated_with_the_same_message_id(page: "Page", site: str,
                                                             stack: Stack) -> None:
    """A replica dying mid-request gives a 502 from the balancer: the widget sends the
    message again with the same id (the bot answers a repeat from the stored conversation)."""
    page.goto(site)
    launcher(page).click()
    bodies: List[Dict[str, Any]] = []

    def first_fails(route: Any) -> None:
        bodies.append(json.loads(route.request.post_data))
        if len(bodies) == 1:
            route.fulfill(status=502, body="", headers={"Access-Control-Allow-Origin": "*"})
        else:
            route.continue_()

    page.route(f"{stack.settings.rasa_url}/webhooks/rest/webhook", first_fails)
    expect(ask(page, "bist du ein bot?")).to_contain_text("Chatbot")
    assert len(bodies) == 2 and bodies[0]["message_id"] == bodies[1]["message_id"]
    assert len(bodies[0]["message_id"]) == 32


def test_phone_width_full_screen_panel(browser: "Browser", page_errors: List[str], site: str) -> None:
    context = browser.new_context(viewport=PHONE, locale="de-DE", device_scale_factor=2,
                                  is_mobile=True, has_touch=True)
    page = context.new_page()
    watch_errors(page, page_errors)
    try:
        page.goto(site)
        launcher(page).click()
        expect(dialog(page)).to_be_visible()
        expect(ask(page, QUESTION)).to_contain_text("Gewerbeamt")
        box = dialog(page).bounding_box()
        assert box and (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 360, 740)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert page.locator(".glw-log").evaluate("el => el.scrollWidth <= el.clientWidth")
        expect(launcher(page)).to_be_hidden()  # the panel covers the screen; it has a close button
        assert_no_serious_axe_violations(page, page_errors)
        screenshot(page, "widget-mobile-360x740.png")
        dialog(page).get_by_role("button", name="Chat schließen").click()
        expect(launcher(page)).to_be_visible()
        assert active(page)["cls"] == "glw-launcher"
        assert page_errors == []
    finally:
        context.close()

