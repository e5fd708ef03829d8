"""End to end over Telegram: user ⇄ Bot API emulator ⇄ bridge ⇄ real Rasa + action server.

The emulator is the npm package ``telegram-test-api`` (tests/e2e/telegram_emulator/, set up
with ``npm ci``), started on a free loopback port. The bridge runs as its own process
(``python -m bot.channels.telegram``) with python-telegram-bot's ``base_url`` pointed at the
emulator, exactly as in production apart from the URL. The test plays the Telegram user
through the emulator's client API (sendMessage/sendCommand/sendCallback/getUpdates).
"""

from __future__ import annotations

import html
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest
import requests

from bot import messages
from bot.channels.telegram.bridge import pseudonym, sender_id
from bot.config import PROJECT_ROOT
from bot.serve import Stack
from tests.conftest import free_port

pytestmark = pytest.mark.e2e

EMULATOR_DIR = Path(__file__).parent / "telegram_emulator"
TOKEN = "424242:GL-polling-test-token"
WEBHOOK_TOKEN = "434343:GL-webhook-test-token"
CHAT_BASE = 734519800  # distinctive, so the log check below means something
QUESTION = "Wie melde ich ein Gewerbe an?"


# --- processes -----------------------------------------------------------------------------

def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_for(check: Callable[[], bool], timeout: float, what: str, process: subprocess.Popen,
             log: Optional[Path] = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            detail = log.read_text(errors="replace")[-3000:] if log else ""
            raise RuntimeError(f"{what}: Prozess beendet (Exit-Code {process.returncode})\n{detail}")
        if check():
            return
        time.sleep(0.2)
    raise TimeoutError(f"{what} nicht bereit nach {timeout:.0f} s")


@dataclass
class Emulator:
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def bot_api(self) -> str:
        """python-telegram-bot's base_url: the emulator serves /bot<token>/<method>."""
        return f"{self.url}/bot"


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    if not (EMULATOR_DIR / "node_modules" / "telegram-test-api").is_dir():
        pytest.fail(f"Telegram-Emulator fehlt: `npm ci` in {EMULATOR_DIR.relative_to(PROJECT_ROOT)}")
    node = shutil.which("node")
    assert node, "Node.js wird für den Telegram-Emulator gebraucht"
    port = free_port()
    log = tmp_path_factory.mktemp("emulator") / "emulator.log"
    process = subprocess.Popen([node, "server.mjs", str(port)], cwd=EMULATOR_DIR,
                               stdout=open(log, "wb"), stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: "READY" in log.read_text(errors="replace"), 30, "Emulator", process, log)
        yield Emulator(port, process)
    finally:
        stop_process(process)


@dataclass
class Bridge:
    process: subprocess.Popen
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def start_bridge(emulator: Emulator, stack: Stack, token: str, log: Path, *args: str,
                 **env: str) -> Bridge:
    environment = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_BASE_URL": emulator.bot_api,
        "TELEGRAM_RASA_URL": stack.settings.rasa_url,
        "TELEGRAM_POLL_INTERVAL": "0.1",  # the emulator answers getUpdates at once (no long poll)
        "GL_RETENTION_DAYS": "30",
        "PYTHONUNBUFFERED": "1",
        **env,
    }
    process = subprocess.Popen([sys.executable, "-m", "bot.channels.telegram", *args],
                               cwd=PROJECT_ROOT, env=environment,
                               stdout=open(log, "wb"), stderr=subprocess.STDOUT)
    bridge = Bridge(process, log)
    try:
        wait_for(lambda: "bridge ready" in bridge.log_text(), 60, "Telegram-Brücke", process, log)
        if "--webhook-url" in args:
            wait_for(lambda: "webhook server on" in bridge.log_text(), 30, "Webhook", process, log)
    except Exception:
        stop_process(process)
        raise
    return bridge


@pytest.fixture(scope="module")
def bridge(emulator: Emulator, stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bridge]:
    log = tmp_path_factory.mktemp("bridge") / "telegram.log"
    running = start_bridge(emulator, stack, TOKEN, log, "--polling")
    yield running
    stop_process(running.process)
    assert running.process.returncode == 0, running.log_text()[-3000:]  # clean shutdown


# --- the Telegram user -----------------------------------------------------------------------

@dataclass
class TelegramUser:
    """Plays one user in one private chat through the emulator's client API."""

    emulator: Emulator
    chat_id: int
    token: str = TOKEN
    received: List[Dict[str, Any]] = field(default_factory=list)

    def _post(self, path: str, body: Dict[str, Any]) -> Any:
        reply = requests.post(f"{self.emulator.url}{path}", json=body, timeout=10)
        assert reply.status_code == 200, reply.text
        return reply.json().get("result")

    def _common(self) -> Dict[str, Any]:
        return {
            "botToken": self.token,
            "from": {"id": self.chat_id, "is_bot": False, "first_name": "Anna", "language_code": "de"},
            "chat": {"id": self.chat_id, "type": "private", "first_name": "Anna"},
            "date": int(time.time()),
        }

    def say(self, text: str) -> None:
        self._post("/sendMessage", {**self._common(), "text": text})

    def command(self, text: str) -> None:
        name = text.split()[0]
        entity = {"offset": 0, "length": len(name), "type": "bot_command"}
        self._post("/sendCommand", {**self._common(), "text": text, "entities": [entity]})

    def press(self, message_id: int, data: str) -> None:
        common = self._common()
        message = {"message_id": message_id, "chat": common["chat"], "date": common["date"],
                   "from": {"id": 666, "is_bot": True, "first_name": "Test Bot"}}
        self._post("/sendCallback", {"botToken": self.token, "from": common["from"], "data": data,
                                     "message": message, "chat_instance": f"ci-{self.chat_id}"})

    def replies(self, until: Callable[[List[Dict[str, Any]]], bool], timeout: float = 90,
                settle: float = 1.0) -> List[Dict[str, Any]]:
        """The bot's new messages once ``until(messages)`` holds (plus stragglers)."""
        new: List[Dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            new += self._post("/getUpdates", {"token": self.token, "chatId": self.chat_id})
            if until(new):
                time.sleep(settle)
                new += self._post("/getUpdates", {"token": self.token, "chatId": self.chat_id})
                self.received += new
                return new
            time.sleep(0.2)
        raise AssertionError(f"keine passende Antwort nach {timeout:.0f} s, erhalten: "
                             f"{[text(m) for m in new]}")

    def bot_message(self, message_id: int) -> Dict[str, Any]:
        history = self._post("/getUpdatesHistory", {"token": self.token})
        return next(item["message"] for item in history
                    if item.get("messageId") == message_id and "chat_id" in item.get("message", {}))

    def answered_callbacks(self) -> List[Dict[str, Any]]:
        return self._post("/getAnsweredCallbacks", {"token": self.token})


def text(item: Dict[str, Any]) -> str:
    """What the user sees: the sent HTML, unescaped."""
    return html.unescape(item["message"].get("text") or "")


def all_text(items: List[Dict[str, Any]]) -> str:
    return "\n".join(text(i) for i in items)


def containing(snippet: str) -> Callable[[List[Dict[str, Any]]], bool]:
    return lambda items: snippet in all_text(items)


def keyboard(item: Dict[str, Any]) -> List[Dict[str, Any]]:
    markup = item["message"].get("reply_markup") or {}
    return [button for row in markup.get("inline_keyboard", []) for button in row]


# --- conversations ---------------------------------------------------------------------------

def test_a_question_gets_the_bots_answer(emulator: Emulator, bridge: Bridge) -> None:
    user = TelegramUser(emulator, CHAT_BASE + 1)
    user.say(QUESTION)
    answer = all_text(user.replies(containing("Gewerbeamt")))
    assert "Stand:" in answer and "https://" in answer
    sent = user.received[0]["message"]
    assert sent["parse_mode"] == "HTML"


def test_start_greets_and_explains_privacy(emulator: Emulator, bridge: Bridge) -> None:
    user = TelegramUser(emulator, CHAT_BASE + 2)
    user.command("/start")
    replies = user.replies(containing("Datenschutz"))
    assert "Gründungslotse" in text(replies[0])
    note = text(replies[-1])
    assert "keine persönlichen Daten" in note and "30 Tagen" in note and "/datenschutz" in note


def test_help_menu_buttons_work(emulator: Emulator, bridge: Bridge) -> None:
    user = TelegramUser(emulator, CHAT_BASE + 3)
    user.command("/hilfe")
    replies = user.replies(lambda items: any(keyboard(i) for i in items))
    menu = next(i for i in replies if keyboard(i))
    buttons = {b["text"]: b["callback_data"] for b in keyboard(menu)}
    assert {"Gewerbe anmelden", "Persönliche Beratung"} <= set(buttons)
    assert all(len(data.encode()) <= 64 for data in buttons.values())
    assert QUESTION not in buttons.values()  # payloads stay in the bridge

    user.press(menu["messageId"], buttons["Gewerbe anmelden"])
    assert "Gewerbeamt" in all_text(user.replies(containing("Gewerbeamt")))
    assert any(a["text"] == "Ihre Auswahl: Gewerbe anmelden" for a in user.answered_callbacks())
    assert "reply_markup" not in user.bot_message(menu["messageId"])  # keyboard removed

    user.press(menu["messageId"], buttons["Persönliche Beratung"])  # an old, used-up menu
    time.sleep(2)
    assert any(a["text"].startswith("Diese Auswahl ist nicht mehr aktuell")
               for a in user.answered_callbacks())
    assert user._post("/getUpdates", {"token": TOKEN, "chatId": user.chat_id}) == []


def test_neu_restarts_the_conversation(emulator: Emulator, bridge: Bridge) -> None:
    user = TelegramUser(emulator, CHAT_BASE + 4)
    user.say("Hallo")
    user.replies(containing("Gründungslotse"))
    user.command("/neu")
    replies = user.replies(containing("neu gestartet"))
    assert messages.TECHNICAL_PROBLEM not in all_text(replies)


def test_datenschutz_and_unknown_input(emulator: Emulator, bridge: Bridge) -> None:
    user = TelegramUser(emulator, CHAT_BASE + 5)
    user.command("/datenschutz")
    privacy = all_text(user.replies(containing("Datenschutz beim Gründungslotsen")))
    assert "30 Tagen" in privacy and "keine Nachrichtentexte" in privacy
    user.command("/unbekannt")
    assert "Diesen Befehl kenne ich nicht" in all_text(user.replies(containing("Befehl")))


def test_webhook_mode(emulator: Emulator, stack: Stack, tmp_path: Path) -> None:
    port = free_port()
    hook = start_bridge(emulator, stack, WEBHOOK_TOKEN, tmp_path / "webhook.log",
                        "--webhook-url", f"http://127.0.0.1:{port}/telegram",
                        TELEGRAM_WEBHOOK_PORT=str(port))
    try:
        user = TelegramUser(emulator, CHAT_BASE + 6, token=WEBHOOK_TOKEN)
        user.say(QUESTION)  # the emulator POSTs it to the bridge, with the secret header
        assert "Gewerbeamt" in all_text(user.replies(containing("Gewerbeamt")))
        refused = requests.post(f"http://127.0.0.1:{port}/telegram", json={"update_id": 1}, timeout=5)
        assert refused.status_code == 403  # without Telegram's secret
    finally:
        stop_process(hook.process)
    assert hook.process.returncode == 0, hook.log_text()[-3000:]


def test_logs_have_no_texts_chat_ids_or_token(emulator: Emulator, bridge: Bridge) -> None:
    user = TelegramUser(emulator, CHAT_BASE + 7)
    user.say("Meine Mail ist anna.beispiel@example.org, Telefon 0341 5550199")
    user.replies(lambda items: bool(items))
    log = bridge.log_text()
    assert pseudonym(sender_id(CHAT_BASE + 7)) in log
    chat_ids = str(CHAT_BASE)[:7]  # common prefix of every chat id used here
    for secret in ("anna.beispiel@example.org", "5550199", "Gewerbe", chat_ids, TOKEN, "GL-polling"):
        assert secret not in log, secret


def test_without_rasa_the_user_gets_an_apology_and_the_bridge_survives(
        emulator: Emulator, bridge: Bridge, stack: Stack) -> None:
    stack.stop("rasa")  # last test of the module: the stack is not needed afterwards
    user = TelegramUser(emulator, CHAT_BASE + 8)
    user.say("Welche Förderung gibt es für mich?")
    apology = user.replies(containing("Entschuldigung"))
    assert all_text(apology) == messages.TECHNICAL_PROBLEM
    assert bridge.process.poll() is None
    user.command("/datenschutz")  # still answering
    user.replies(containing("Datenschutz beim Gründungslotsen"))
    user.say("Hallo?")
    assert all_text(user.replies(containing("Entschuldigung"))) == messages.TECHNICAL_PROBLEM
    assert bridge.process.poll() is None
