"""Telegram bridge handlers with a fake Bot API and a fake REST channel (no network).

The real thing – python-telegram-bot against a Bot API emulator and the real Rasa
stack – is tested in tests/e2e/test_telegram.py.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from types import SimpleNamespace
from typing import Any, Callable, Dict, List

import httpx
import pytest
from telegram import Update
from telegram.error import Forbidden, NetworkError, TimedOut
from telegram.ext import ApplicationHandlerStop

from bot import messages
from bot.channels.telegram import texts
from bot.channels.telegram.bridge import Bridge, PerChatUpdateProcessor, pseudonym, sender_id
from bot.channels.telegram.config import ConfigError, TelegramSettings, load_telegram_settings
from bot.channels.telegram.rasa_client import RasaClient, RasaUnavailable
from bot.channels.telegram.rendering import ButtonStore, escape
from bot.channels.telegram.retry import RetryPolicy

CHAT = 734519826
TOKEN = "123456:SECRET-token"
QUESTION = "Wie melde ich ein Gewerbe an? Meine Mail ist anna@example.org"
FAST = RetryPolicy(attempts=3, base_delay=0.0, max_delay=0.0, jitter=0.0)


def settings(**overrides: Any) -> TelegramSettings:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_RASA_URL": "http://rasa.test"}
    env.update(overrides)
    return load_telegram_settings(env)


# --- fakes ---------------------------------------------------------------------------------

class FakeBot:
    """Records Bot API calls; ``fail`` maps a method to errors raised on its next calls."""

    def __init__(self) -> None:
        self.calls: List[tuple] = []
        self.fail: Dict[str, List[BaseException]] = {}

    def _record(self, method: str, **kwargs: Any) -> None:
        self.calls.append((method, kwargs))
        if self.fail.get(method):
            raise self.fail[method].pop(0)

    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> bool:
        self._record("sendMessage", chat_id=chat_id, text=text, **kwargs)
        return True

    async def send_chat_action(self, chat_id: int, action: str, **kwargs: Any) -> bool:
        self._record("sendChatAction", chat_id=chat_id, action=action)
        return True

    async def answer_callback_query(self, callback_query_id: str, **kwargs: Any) -> bool:
        self._record("answerCallbackQuery", callback_query_id=callback_query_id, text=kwargs.get("text"))
        return True

    async def edit_message_reply_markup(self, **kwargs: Any) -> bool:
        self._record("editMessageReplyMarkup", chat_id=kwargs.get("chat_id"),
                     message_id=kwargs.get("message_id"), reply_markup=kwargs.get("reply_markup"))
        return True

    def sent(self) -> List[Dict[str, Any]]:
        return [kwargs for method, kwargs in self.calls if method == "sendMessage"]

    def methods(self) -> List[str]:
        return [method for method, _ in self.calls]


class FakeRasa:
    """The REST channel: records requests, answers with ``reply(message)``."""

    def __init__(self, reply: Callable[[str], Any]) -> None:
        self.reply = reply
        self.requests: List[Dict[str, Any]] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.requests.append(body)
        result = self.reply(body["message"])
        if isinstance(result, BaseException):
            raise result
        if isinstance(result, httpx.Response):
            return result
        return httpx.Response(200, json=result)

    def client(self) -> RasaClient:
        async def no_sleep(_: float) -> None:
            return None

        return RasaClient("http://rasa.test", transport=httpx.MockTransport(self.handler), sleep=no_sleep)

    @property
    def texts(self) -> List[str]:
        return [r["message"] for r in self.requests]


def answer_with(*items: Dict[str, Any]) -> Callable[[str], Any]:
    return lambda _: list(items)


MENU = {"text": "Wählen Sie ein Thema:", "buttons": [
    {"title": "Gewerbe anmelden", "payload": "Wie melde ich ein Gewerbe an?"},
    {"title": "Persönliche Beratung", "payload": "Ich möchte persönlich beraten werden"},
]}


def make(reply: Callable[[str], Any]) -> tuple:
    rasa = FakeRasa(reply)
    bot = FakeBot()
    bridge = Bridge(settings(), rasa=rasa.client(), store=ButtonStore(), policy=FAST, retention_days=30)
    return bridge, rasa, bot, SimpleNamespace(bot=bot, error=None)


def user() -> Dict[str, Any]:
    return {"id": CHAT, "is_bot": False, "first_name": "Anna"}


def chat(kind: str = "private") -> Dict[str, Any]:
    return {"id": CHAT, "type": kind}


def message_update(bot: FakeBot, text: str, kind: str = "private") -> Update:
    data = {"update_id": 1, "message": {"message_id": 5, "date": 1700000000, "chat": chat(kind),
                                         "from": user(), "text": text}}
    return Update.de_json(data, bot)  # type: ignore[arg-type]


def button_update(bot: FakeBot, data: str, message_id: int = 9) -> Update:
    query = {"id": "cb-1", "from": user(), "chat_instance": "ci", "data": data,
             "message": {"message_id": message_id, "date": 1700000000, "chat": chat(), "text": "Menü"}}
    return Update.de_json({"update_id": 2, "callback_query": query}, bot)  # type: ignore[arg-type]


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


# --- conversations -----------------------------------------------------------------------

def test_text_goes_to_the_rest_channel_and_replies_come_back_escaped() -> None:
    bridge, rasa, bot, context = make(answer_with({"text": "Zum Gewerbeamt <Ihrer> Gemeinde & mehr"}, MENU))
    run(bridge.on_text(message_update(bot, QUESTION), context))
    assert [{k: r[k] for k in ("sender", "message")} for r in rasa.requests] == [
        {"sender": f"tg-{CHAT}", "message": QUESTION}]
    sent = bot.sent()
    assert [m["text"] for m in sent] == ["Zum Gewerbeamt &lt;Ihrer&gt; Gemeinde &amp; mehr",
                                         "Wählen Sie ein Thema:"]
    assert all(m["parse_mode"] == "HTML" and m["chat_id"] == CHAT for m in sent)
    assert sent[0]["reply_markup"] is None
    rows = sent[1]["reply_markup"].inline_keyboard
    assert [row[0].text for row in rows] == ["Gewerbe anmelden", "Persönliche Beratung"]
    assert bot.methods()[0] == "sendChatAction"  # typing before the answer


def test_pressing_a_button_answers_removes_the_keyboard_and_sends_the_payload() -> None:
    bridge, rasa, bot, context = make(answer_with(MENU))
    run(bridge.on_help(message_update(bot, "/hilfe"), context))
    data = bot.sent()[0]["reply_markup"].inline_keyboard[1][0].callback_data
    rasa.reply = answer_with({"text": "Ansprechpartner: Wirtschaftsförderung"})
    run(bridge.on_button(button_update(bot, data), context))
    assert rasa.texts == ["/help", "Ich möchte persönlich beraten werden"]
    methods = bot.methods()
    assert methods.index("answerCallbackQuery") < methods.index("editMessageReplyMarkup")
    answer = dict(bot.calls[methods.index("answerCallbackQuery")][1])
    assert answer["text"] == "Ihre Auswahl: Persönliche Beratung"
    edit = dict(bot.calls[methods.index("editMessageReplyMarkup")][1])
    assert (edit["chat_id"], edit["message_id"], edit["reply_markup"]) == (CHAT, 9, None)
    assert bot.sent()[-1]["text"] == "Ansprechpartner: Wirtschaftsförderung"

    # a second tap on the same keyboard: answered as stale, nothing goes to the bot
    run(bridge.on_button(button_update(bot, data), context))
    assert len(rasa.requests) == 2
    assert bot.calls[-2][1]["text"] == texts.STALE_BUTTON


def test_start_greets_via_the_bot_and_adds_the_privacy_note() -> None:
    bridge, rasa, bot, context = make(answer_with({"text": "Hallo! Ich bin der Gründungslotse."}))
    run(bridge.on_start(message_update(bot, "/start"), context))
    assert rasa.texts == ["/greet"]
    sent = [m["text"] for m in bot.sent()]
    assert sent == ["Hallo! Ich bin der Gründungslotse.", escape(texts.privacy_short(30))]
    assert "30 Tagen" in sent[1] and "/datenschutz" in sent[1]


def test_restart_sends_the_start_over_intent_and_drops_old_buttons() -> None:
    bridge, rasa, bot, context = make(answer_with(MENU))
    run(bridge.on_help(message_update(bot, "/hilfe"), context))
    data = bot.sent()[0]["reply_markup"].inline_keyboard[0][0].callback_data
    rasa.reply = answer_with({"text": "Ich habe das Gespräch neu gestartet."})
    run(bridge.on_restart(message_update(bot, "/neu"), context))
    assert rasa.texts == ["/help", "/start_over"]
    run(bridge.on_button(button_update(bot, data), context))
    assert len(rasa.requests) == 2  # the old menu no longer works


def test_privacy_text_matches_the_readme_promises() -> None:
    bridge, rasa, bot, context = make(answer_with())
    bridge.retention_days = 14
    run(bridge.on_privacy(message_update(bot, "/datenschutz"), context))
    assert rasa.requests == []
    text = bot.sent()[0]["text"]
    assert "14 Tagen" in text and "gelöscht" in text
    assert "keine persönlichen Daten" in text and "keine Nachrichtentexte" in text
    assert " du " not in text.lower() and " dein" not in text.lower()  # Sie-form


def test_typed_intents_are_not_forwarded() -> None:
    bridge, rasa, bot, context = make(answer_with({"text": "x"}))
    run(bridge.on_text(message_update(bot, "  /restart"), context))
    assert rasa.requests == [] and bot.sent()[0]["text"] == escape(texts.UNKNOWN_COMMAND)


def test_group_chats_are_ignored() -> None:
    bridge, _, bot, context = make(answer_with())
    with pytest.raises(ApplicationHandlerStop):
        run(bridge.only_private_chats(message_update(bot, "Hallo", kind="group"), context))
    run(bridge.only_private_chats(message_update(bot, "Hallo"), context))  # private: passes


# --- failures ----------------------------------------------------------------------------

@pytest.mark.parametrize("failure", [
    httpx.ConnectError("refused"),
    httpx.ReadTimeout("slow"),
    httpx.Response(500, text="kaputt"),
    httpx.Response(200, text="kein json"),
    httpx.Response(200, json={"kein": "liste"}),
    httpx.Response(200, json=[]),
])
def test_an_unusable_bot_answer_gives_the_apology(failure: Any) -> None:
    bridge, rasa, bot, context = make(lambda _: failure)
    run(bridge.on_text(message_update(bot, QUESTION), context))
    assert [m["text"] for m in bot.sent()] == [escape(messages.TECHNICAL_PROBLEM)]


def test_gateway_errors_are_repeated_with_the_same_message_id() -> None:
    replies = iter([httpx.Response(502), httpx.Response(200, json=[{"text": "Antwort"}])])
    flaky = FakeRasa(lambda _: next(replies))
    assert [m.text for m in run(flaky.client().send("tg-1", "Hallo"))] == ["Antwort"]
    ids = [request["message_id"] for request in flaky.requests]
    assert len(ids) == 2 and ids[0] == ids[1] and len(ids[0]) >= 8


def test_only_refused_connections_are_retried_towards_rasa() -> None:
    refused = FakeRasa(lambda _: httpx.ConnectError("refused"))
    with pytest.raises(RasaUnavailable):
        run(refused.client().send("tg-1", "Hallo"))
    assert len(refused.requests) == 3  # first try + 2 retries: it never reached Rasa
    slow = FakeRasa(lambda _: httpx.ReadTimeout("slow"))
    with pytest.raises(RasaUnavailable):
        run(slow.client().send("tg-1", "Hallo"))
    assert len(slow.requests) == 1  # Rasa may have processed it: not again


def test_a_lost_send_is_not_repeated_but_the_next_message_still_goes_out() -> None:
    bridge, _, bot, context = make(answer_with({"text": "eins"}, {"text": "zwei"}))
    read_timeout = TimedOut()
    read_timeout.__cause__ = httpx.ReadTimeout("lost")
    bot.fail["sendMessage"] = [read_timeout]
    run(bridge.on_text(message_update(bot, QUESTION), context))
    assert [m["text"] for m in bot.sent()] == ["eins", "zwei"]  # "eins" tried once


def test_server_errors_on_send_are_retried() -> None:
    bridge, _, bot, context = make(answer_with({"text": "eins"}))
    bot.fail["sendMessage"] = [NetworkError("Bad Gateway (502)"), NetworkError("Bad Gateway (502)")]
    run(bridge.on_text(message_update(bot, QUESTION), context))
    assert [m["text"] for m in bot.sent()] == ["eins"] * 3


def test_a_blocked_bot_stops_sending_to_that_chat() -> None:
    bridge, _, bot, context = make(answer_with({"text": "eins"}, {"text": "zwei"}))
    bot.fail["sendMessage"] = [Forbidden("bot was blocked by the user")]
    run(bridge.on_text(message_update(bot, QUESTION), context))
    assert len(bot.sent()) == 1


def test_typing_failures_do_not_matter() -> None:
    bridge, _, bot, context = make(answer_with({"text": "eins"}))
    bot.fail["sendChatAction"] = [NetworkError("API method 'sendChatAction' is not supported")]
    run(bridge.on_text(message_update(bot, QUESTION), context))
    assert [m["text"] for m in bot.sent()] == ["eins"]


# --- privacy in logs -----------------------------------------------------------------------

def test_logs_carry_neither_texts_nor_chat_ids(caplog: pytest.LogCaptureFixture) -> None:
    bridge, _, bot, context = make(lambda _: httpx.ConnectError("refused"))
    with caplog.at_level(logging.DEBUG):
        run(bridge.on_text(message_update(bot, QUESTION), context))
        run(bridge.on_start(message_update(bot, "/start"), context))
    assert caplog.records
    assert str(CHAT) not in caplog.text and "anna@example.org" not in caplog.text
    assert "Gewerbe" not in caplog.text and TOKEN not in caplog.text
    assert pseudonym(sender_id(CHAT)) in caplog.text


def test_pseudonym_is_the_rest_channels_hash() -> None:
    expected = hashlib.sha256(f"tg-{CHAT}".encode()).hexdigest()[:10]
    assert pseudonym(sender_id(CHAT)) == expected
    rest = pytest.importorskip("bot.channels.rest")
    assert rest.pseudonym(sender_id(CHAT)) == expected


# --- ordering ------------------------------------------------------------------------------

def test_updates_of_one_chat_run_in_order_other_chats_in_parallel() -> None:
    log: List[str] = []

    async def handle(name: str, delay: float) -> None:
        log.append(f"start {name}")
        await asyncio.sleep(delay)
        log.append(f"end {name}")

    def update(chat_id: int) -> Update:
        return Update.de_json({"update_id": 1, "message": {  # type: ignore[arg-type]
            "message_id": 1, "date": 1700000000, "chat": {"id": chat_id, "type": "private"}, "text": "x"}}, None)

    async def go() -> None:
        processor = PerChatUpdateProcessor(8)
        await asyncio.gather(
            processor.process_update(update(1), handle("a1", 0.05)),
            processor.process_update(update(1), handle("a2", 0.0)),
            processor.process_update(update(2), handle("b1", 0.0)),
        )
        assert not processor._locks  # nothing kept for idle chats

    run(go())
    assert log.index("end a1") < log.index("start a2")  # same chat: one after the other
    assert log.index("end b1") < log.index("end a1")  # other chat did not wait


# --- configuration -------------------------------------------------------------------------

def test_settings_defaults_are_long_polling_against_telegram() -> None:
    s = settings()
    assert not s.webhook and s.api_base_url == "https://api.telegram.org/bot"
    assert s.rasa_url == "http://rasa.test" and s.rasa_timeout == 60
    assert TOKEN not in repr(s) and s.webhook_secret not in repr(s)
    assert len(s.webhook_secret) >= 32 and s.webhook_secret != settings().webhook_secret


def test_settings_for_webhook_mode_and_an_emulator() -> None:
    s = settings(TELEGRAM_WEBHOOK_URL="https://bot.example.org/telegram/hook",
                 TELEGRAM_WEBHOOK_PORT="9443", TELEGRAM_WEBHOOK_SECRET="abc_DEF-123",
                 TELEGRAM_API_BASE_URL="http://127.0.0.1:9000/bot", TELEGRAM_POLL_INTERVAL="0.2")
    assert s.webhook and s.webhook_path == "/telegram/hook" and s.webhook_port == 9443
    assert s.webhook_secret == "abc_DEF-123" and s.webhook_listen == "127.0.0.1"
    assert s.api_base_url == "http://127.0.0.1:9000/bot" and s.poll_interval == 0.2


@pytest.mark.parametrize("env", [
    {},
    {"TELEGRAM_BOT_TOKEN": "  "},
    {"TELEGRAM_BOT_TOKEN": "12 34"},
    {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_URL": "bot.example.org"},
    {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": "mit leerzeichen"},
    {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_RASA_TIMEOUT": "lang"},
    {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_POLL_INTERVAL": "-1"},
])
def test_bad_settings_are_refused_without_echoing_secrets(env: Dict[str, str]) -> None:
    with pytest.raises(ConfigError) as error:
        load_telegram_settings(env)
    assert "TELEGRAM_" in str(error.value) and TOKEN not in str(error.value)


def test_main_without_token_exits_with_a_german_hint(monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture) -> None:
    from bot.channels.telegram.__main__ import main

    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main([]) == 2
    assert "TELEGRAM_BOT_TOKEN fehlt" in capsys.readouterr().err


def test_application_has_the_commands_and_talks_to_the_configured_api() -> None:
    from telegram.ext import CommandHandler

    bridge = Bridge(settings(TELEGRAM_API_BASE_URL="http://127.0.0.1:9/bot"), retention_days=30)
    application = bridge.build_application()
    commands = set()
    for handlers in application.handlers.values():
        for handler in handlers:
            if isinstance(handler, CommandHandler):
                commands |= set(handler.commands)
    assert commands == {"start", "hilfe", "help", "neu", "datenschutz"}
    assert application.bot.base_url == f"http://127.0.0.1:9/bot{TOKEN}"
    assert {name for name, _ in texts.COMMANDS} <= commands


# --- webhook server ------------------------------------------------------------------------

def test_webhook_accepts_only_telegrams_secret() -> None:
    from aiohttp.test_utils import TestClient, TestServer

    from bot.channels.telegram.webhook import SECRET_HEADER, webhook_app

    s = settings(TELEGRAM_WEBHOOK_URL="https://bot.example.org/tg", TELEGRAM_WEBHOOK_SECRET="s3cret")
    queue: "asyncio.Queue[object]" = asyncio.Queue()
    application = SimpleNamespace(bot=None, update_queue=queue)
    update = {"update_id": 7, "message": {"message_id": 1, "date": 1700000000, "chat": chat(),
                                          "from": user(), "text": "Hallo"}}

    async def go() -> None:
        async with TestClient(TestServer(webhook_app(application, s))) as client:  # type: ignore[arg-type]
            assert (await client.post("/tg", json=update)).status == 403
            assert (await client.post("/tg", json=update, headers={SECRET_HEADER: "falsch"})).status == 403
            assert (await client.post("/tg", data=b"{kaputt", headers={SECRET_HEADER: "s3cret"})).status == 400
            assert queue.empty()
            assert (await client.post("/tg", json=update, headers={SECRET_HEADER: "s3cret"})).status == 200
            assert (await client.get("/healthz")).status == 200
        received = queue.get_nowait()
        assert isinstance(received, Update) and received.update_id == 7

    run(go())


# --- start-up and log hygiene ----------------------------------------------------------------

def test_initialize_retries_until_telegram_answers_and_resets_the_bot(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.channels.telegram import bridge as bridge_module
    from bot.channels.telegram.retry import STARTUP_POLICY

    monkeypatch.setattr(bridge_module, "STARTUP_POLICY",
                        RetryPolicy(attempts=STARTUP_POLICY.attempts, base_delay=0.0, jitter=0.0))
    events: List[str] = []

    class FakeApplication:
        failures = 2

        async def initialize(self) -> None:
            events.append("initialize")
            if self.failures:
                self.failures -= 1
                raise NetworkError("httpx.ConnectError: refused")

        @property
        def bot(self) -> Any:
            async def shutdown() -> None:
                events.append("bot.shutdown")
            return SimpleNamespace(shutdown=shutdown)

    run(bridge_module.initialize_with_retry(FakeApplication()))  # type: ignore[arg-type]
    assert events == ["initialize", "bot.shutdown"] * 2 + ["initialize"]


def test_an_invalid_token_is_not_retried() -> None:
    from telegram.error import InvalidToken

    from bot.channels.telegram.bridge import initialize_with_retry

    calls: List[int] = []

    async def initialize() -> None:
        calls.append(1)
        raise InvalidToken(f"The token `{TOKEN}` was rejected by the server.")

    async def shutdown() -> None:
        return None

    application = SimpleNamespace(initialize=initialize, bot=SimpleNamespace(shutdown=shutdown))
    with pytest.raises(InvalidToken):
        run(initialize_with_retry(application))  # type: ignore[arg-type]
    assert calls == [1]


def test_the_token_is_redacted_even_in_tracebacks() -> None:
    from bot.channels.telegram.__main__ import RedactingFormatter

    formatter = RedactingFormatter("%(levelname)s %(message)s", [TOKEN, ""])
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
    except RuntimeError:
        import sys

        record = logging.LogRecord("telegram.ext", logging.ERROR, __file__, 1,
                                   "url https://api.telegram.org/bot%s/getMe", (TOKEN,), sys.exc_info())
    text = formatter.format(record)
    assert TOKEN not in text and text.count("***") == 2
