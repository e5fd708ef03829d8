"""The Redaktion console end to end in Debian's Chromium (Playwright): log in, change an answer,
try the candidate model, publish – and the running bot answers with the new text. Every page is
scanned with axe-core (no serious or critical violation).

The console runs as its own process in a copy of the project (own git repository), like
``bot serve`` starts it; the bot is the real Rasa + action server stack of tests/conftest.py.
Screenshots go to tests/artifacts/ (the ones in docs/img/ come from this run).
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Dict, Iterator, List

import pytest

from bot.directory.callbacks import store as store_callback
from bot.serve import Stack, wait_until_ready
from bot.staff.inbox_store import add_item
from tests.conftest import copy_project, free_port, say, texts
from tests.e2e.test_widget import browser, page_errors  # noqa: F401 – shared Chromium fixtures
from tests.e2e.test_widget import ARTIFACTS, assert_no_serious_axe_violations, watch_errors

try:
    from playwright.sync_api import Browser, Page, expect
except ImportError:  # reported by the browser fixture (tests/e2e/test_widget.py)
    pass

pytestmark = pytest.mark.e2e

COPY = ("bot", "actions", "data", "domain.yml", "config.yml", "credentials.yml", "endpoints.yml",
        "tests/test_stories.yml", "build/spacy-de")
ADMIN, PASSWORD = "anna", "anna-passwort-2026"
QUESTION = "Wie melde ich ein Gewerbe an?"
MARKER = f"Neu in der Redaktion geprüft ({uuid.uuid4().hex[:6]})."
PUBLISH_MS = 1_200_000  # check + training + conversation tests + loading on a busy 2-core machine
VIEWPORT = {"width": 1280, "height": 860}


def _git(project: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid",
                           "-c", "commit.gpgsign=false", *args], cwd=project, check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("redaktion-projekt")
    copy_project(target, COPY)
    subprocess.run(["git", "init", "-q", "-b", "main", str(target)], check=True)
    (target / ".gitignore").write_text("/build/\n/models/\n/var/\n__pycache__/\n")
    _git(target, "add", ".")
    _git(target, "commit", "-qm", "Ausgangsstand")
    return target


def _env(project: Path, stack: Stack, port: int) -> Dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(project), "GL_STATE_DIR": str(stack.settings.state_dir),
           "GL_RASA_PORT": str(stack.settings.rasa_port), "GL_ACTION_PORT": str(stack.settings.action_port),
           "GL_REDAKTION_PORT": str(port), "GL_TRACKER_DB": str(stack.settings.tracker_db),
           "RASA_TELEMETRY_ENABLED": "false"}
    for name in ("GL_DIRECTORY_DB", "GL_INBOX_DB", "GL_REDAKTION_DATABASE_URL", "GL_DATABASE_URL"):
        env.pop(name, None)
    return env


@pytest.fixture(scope="module")
def console(project: Path, stack: Stack) -> Iterator[str]:
    """``python -m bot.redaktion`` in the copy, an admin made with ``bot nutzer anlegen``, seed data."""
    port = free_port()
    env = _env(project, stack, port)
    created = subprocess.run([sys.executable, "-m", "bot.cli", "nutzer", "anlegen", ADMIN, "--name", "Anna Admin",
                              "--email", "anna@example.de", "--rolle", "admin", "--passwort-stdin"],
                             cwd=project, env=env, input=PASSWORD + "\n", capture_output=True, text=True, timeout=120)
    assert created.returncode == 0, created.stderr
    state = stack.settings.state_dir
    add_item(state / "inbox.db", "bewertung", "Darf ich auf dem Weihnachtsmarkt Glühwein verkaufen?", "genehmigungen")
    add_item(state / "inbox.db", "bewertung", "Was brauche ich für einen Glühweinstand auf dem Markt?", "genehmigungen")
    add_item(state / "inbox.db", "unbeantwortet", "Quittung", None)
    store_callback(stack.settings.callback_db, consent_text="Ja", name="Erika Muster", contact="erika@example.de",
                   topic="Förderung", place="Jena", responsible="Wirtschaftsförderung Jena", retention_days=90)
    log = open(state / "logs" / "redaktion.log", "ab")
    process = subprocess.Popen([sys.executable, "-m", "bot.redaktion", "--port", str(port)], cwd=project, env=env,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(f"{url}/redaktion/healthz", 60, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.fixture
def page(browser: "Browser", page_errors: List[str]) -> Iterator["Page"]:
    context = browser.new_context(viewport=VIEWPORT, locale="de-DE")
    tab = context.new_page()
    watch_errors(tab, page_errors)
    yield tab
    context.close()


def shot(page: "Page", name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"redaktion-{name}.png"))


def log_in(page: "Page", console: str) -> None:
    page.goto(f"{console}/redaktion/themen")
    expect(page).to_have_url(f"{console}/redaktion/anmelden?weiter=/redaktion/themen")
    page.get_by_label("Benutzername").fill(ADMIN)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", name="Themen", exact=True)).to_be_visible()


def test_staff_flow_edit_try_publish_and_the_bot_answers(page: "Page", page_errors: List[str], console: str,
                                                        stack: Stack, project: Path) -> None:
    assert MARKER not in texts(say(stack, f"vorher-{uuid.uuid4().hex[:6]}", QUESTION))

    page.goto(f"{console}/redaktion/anmelden")
    assert_no_serious_axe_violations(page, page_errors)
    shot(page, "anmelden")
    page.get_by_label("Benutzername").fill(ADMIN)
    page.get_by_label("Passwort").fill("falsch-falsch")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("alert")).to_contain_text("stimmt nicht")
    assert [e for e in page_errors if "401" in e] and all("401" in e for e in page_errors)  # the refused login
    del page_errors[:]
    log_in(page, console)
    assert_no_serious_axe_violations(page, page_errors)
    shot(page, "themen")

    page.get_by_role("link", name="Gewerbeanmeldung", exact=True).click()
    expect(page.get_by_role("heading", name="Gewerbeanmeldung", level=1)).to_be_visible()
    general = page.get_by_role("group", name="Allgemeine Antwort (Land unbekannt)")
    answer = general.get_by_label("Antworttext")
    old = answer.input_value()
    answer.fill("x" * 601)  # live check while typing
    expect(general.locator(".counter").first).to_contain_text("601 / 600 Zeichen – bitte kürzen")
    answer.fill(f"{old.split(' Freie Berufe')[0]} {MARKER}")
    expect(general.locator(".counter").first).not_to_contain_text("bitte kürzen")
    general.get_by_label("Quellen (eine https-Adresse je Zeile)").fill("https://www.gesetze-im-internet.de/gewo/__14.html\nhttp://unsicher.example")
    expect(general.locator(".counter").nth(1)).to_contain_text("Keine vollständige https-Adresse")
    general.get_by_label("Quellen (eine https-Adresse je Zeile)").fill(
        "https://www.gesetze-im-internet.de/gewo/__14.html\nhttps://amt24.sachsen.de")
    assert_no_serious_axe_violations(page, page_errors)
    shot(page, "thema-bearbeiten")
    page.get_by_role("button", name="Antworten speichern").click()
    expect(page.locator(".messages .notice.success")).to_contain_text("Antwort gespeichert")
    assert MARKER in (project / "data/nlu/faq/gewerbeanmeldung.yml").read_text(encoding="utf-8")
    assert _git(project, "log", "-1", "--format=%an|%s").startswith("Anna Admin|Antwort „Gewerbeanmeldung“")

    page.get_by_role("link", name="Veröffentlichen").click()
    page.get_by_role("button", name="Erst ausprobieren").click()
    steps = page.locator("ol.steps li")
    expect(steps.first).to_contain_text("Daten prüfen")
    shot(page, "veroeffentlichen-laeuft")
    chat_input = page.get_by_label("Ihre Testfrage")
    expect(chat_input).to_be_visible(timeout=PUBLISH_MS)
    assert_no_serious_axe_violations(page, page_errors)
    chat_input.fill(QUESTION)
    chat_input.press("Enter")
    expect(page.locator(".bubble.bot").first).to_contain_text(MARKER, timeout=120_000)
    expect(page.get_by_role("button", name="Erst ausprobieren")).to_have_count(0)  # one job at a time
    page.locator("#ausprobieren").screenshot(path=str(ARTIFACTS / "redaktion-ausprobieren.png"))
    assert MARKER not in texts(say(stack, f"vorher-{uuid.uuid4().hex[:6]}", QUESTION))  # not yet published

    page.get_by_role("button", name="Jetzt veröffentlichen").click()
    expect(page.locator("#meldung")).to_contain_text("Veröffentlicht", timeout=PUBLISH_MS)
    expect(steps.filter(has_text="In den Bot laden")).to_contain_text("erledigt")
    assert_no_serious_axe_violations(page, page_errors)
    shot(page, "veroeffentlicht")

    answer_now = texts(say(stack, f"nachher-{uuid.uuid4().hex[:6]}", QUESTION))
    assert MARKER in answer_now and "Stand: " in answer_now
    assert list((project / "models").glob("gl-*.tar.gz")), "the published model is kept in models/"
    assert page_errors == []


def test_every_page_is_accessible_and_works_by_keyboard(page: "Page", page_errors: List[str], console: str,
                                                        stack: Stack, project: Path) -> None:
    log_in(page, console)
    # keyboard: the skip link is the first stop and moves the focus to the content
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Zum Inhalt springen"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "inhalt"

    pages = {
        "eingang": "/redaktion/eingang", "kontakte": "/redaktion/kontakte?datei=kammern.yml",
        "rueckrufe": "/redaktion/rueckrufe", "neues-thema": "/redaktion/themen/neu", "nutzer": "/redaktion/nutzer",
        "protokoll": "/redaktion/protokoll", "konto": "/redaktion/konto",
        "verlauf": "/redaktion/verlauf/themen/gewerbeanmeldung", "veroeffentlichen": "/redaktion/veroeffentlichen",
    }
    for name, path in pages.items():
        page.goto(f"{console}{path}")
        expect(page.locator("h1")).to_be_visible()
        assert_no_serious_axe_violations(page, page_errors)
        if name in ("eingang", "kontakte", "verlauf", "rueckrufe"):
            shot(page, name)

    page.goto(f"{console}/redaktion/verlauf/themen/gewerbeanmeldung")
    page.locator("table.list a").first.click()
    expect(page.locator("pre.diff .diff-add").first).to_be_visible()
    assert_no_serious_axe_violations(page, page_errors)
    shot(page, "aenderung")

    # inbox by keyboard: the first question's topic is preselected, Enter on the button assigns it
    page.goto(f"{console}/redaktion/eingang")
    assign = page.get_by_role("button", name="Als Beispielfrage übernehmen").first
    assign.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages .notice.success")).to_contain_text("als Beispielfrage im Thema")
    assert "Glühwein" in _git(project, "show", "HEAD", "--", "data/nlu/faq/genehmigungen.yml")

    # a contact, edited in the form
    page.goto(f"{console}/redaktion/kontakte?datei=kammern.yml")
    page.locator("table.list a").first.click()
    assert_no_serious_axe_violations(page, page_errors)
    shot(page, "kontakt")
    page.get_by_label("Telefon").fill("0341 1267-0")
    page.get_by_role("button", name="Kontakt speichern").click()
    expect(page.locator(".messages .notice.success")).to_contain_text("gespeichert")
    with sqlite3.connect(project / "build" / "directory.db") as db:
        assert ("0341 1267-0",) in db.execute("SELECT phone FROM contact_points").fetchall()

    # callback done: the personal data disappears
    page.goto(f"{console}/redaktion/rueckrufe")
    page.get_by_role("button", name="erledigt").first.click()
    expect(page.locator(".messages .notice.success")).to_contain_text("gelöscht")
    expect(page.get_by_text("Erika Muster")).to_have_count(0)
    assert page_errors == []
