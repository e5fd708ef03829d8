"""REST channel under hostile input (issue #15): body size, sender ids, typed payloads, origins.

Real Rasa and action servers over HTTP (``stack`` fixture); each test names the item it guards.
"""

from __future__ import annotations

import sqlite3
import uuid
from typing import Any, Dict, Optional

import pytest
import requests

from bot.serve import Stack
from tests.conftest import say, texts

pytestmark = pytest.mark.e2e


def sender() -> str:
    return f"hard-{uuid.uuid4().hex[:8]}"


def post(stack: Stack, body: Any, headers: Optional[Dict[str, str]] = None, **kwargs: Any) -> requests.Response:
    url = f"{stack.settings.rasa_url}/webhooks/rest/webhook"
    if not isinstance(body, (dict, list)):  # raw bytes or a generator (chunked upload)
        return requests.post(url, data=body, headers=headers or {"Content-Type": "application/json"},
                             timeout=60, **kwargs)
    return requests.post(url, json=body, headers=headers, timeout=60, **kwargs)


# --- #15.3: a huge body is refused before it is read, parsed or cleaned ------------------

def test_body_over_the_limit_is_refused_with_413(stack: Stack) -> None:
    body = b'{"sender": "gross", "message": "' + b"a" * 5_000_000 + b'"}'
    reply = post(stack, body)
    assert reply.status_code == 413
    assert "zu groß" in reply.json()["error"]


def test_body_without_content_length_is_capped_too(stack: Stack) -> None:
    def chunks():  # chunked transfer: no Content-Length header to check up front
        yield b'{"sender": "gross", "message": "'
        for _ in range(50):
            yield b"a" * 100_000
        yield b'"}'

    reply = post(stack, chunks())
    assert reply.status_code == 413


def test_long_message_under_the_limit_is_answered_with_the_length_note(stack: Stack) -> None:
    reply = post(stack, {"sender": sender(), "message": "Gewerbe anmelden " * 3000})  # 51 kB
    assert reply.status_code == 200
    assert "sehr lang" in texts(reply.json())


# --- #15.4: no shared "default" conversation --------------------------------------------

@pytest.mark.parametrize("body", [
    {"message": "Hallo"},
    {"sender": "", "message": "Hallo"},
    {"sender": "   ", "message": "Hallo"},
    {"sender": 0, "message": "Hallo"},
    {"sender": None, "message": "Hallo"},
    {"sender": ["a"], "message": "Hallo"},
    {"sender": "x" * 200, "message": "Hallo"},
], ids=["missing", "empty", "blank", "zero", "null", "list", "too-long"])
def test_request_without_a_usable_sender_is_refused(stack: Stack, body: Dict[str, Any]) -> None:
    reply = post(stack, body)
    assert reply.status_code == 400
    assert "sender" in reply.json()["error"]


def test_no_default_conversation_is_created(stack: Stack) -> None:
    for body in ({"message": "Ich heiße Jana Beispiel"}, {"sender": 0, "message": "0341 5550199"}):
        post(stack, body)
    with sqlite3.connect(stack.settings.tracker_db) as db:
        shared = db.execute("SELECT COUNT(*) FROM events WHERE sender_id IN ('default', '0')").fetchone()[0]
    assert shared == 0


# --- #15.6: "/intent{…}" only from buttons the bot offered -------------------------------

def tracker(stack: Stack, user: str) -> Dict[str, Any]:
    reply = requests.get(f"{stack.settings.rasa_url}/conversations/{user}/tracker",
                         params={"token": stack.token}, timeout=30)
    assert reply.status_code == 200
    return reply.json()


def user_intents(stack: Stack, user: str) -> list:
    return [e["parse_data"]["intent"].get("name") for e in tracker(stack, user)["events"]
            if e["event"] == "user"]


def payloads(reply: list) -> list:
    return [b["payload"] for m in reply for b in m.get("buttons", [])]


@pytest.mark.parametrize("typed", [
    '/inform{"ort": "<script>alert(1)</script>"}',
    '/contact_human{"thema": {"$gt": ""}}',
    '/feedback{"bewertung": "schlecht"}',  # no FAQ answer asked for a rating
    "/restart",
    "/session_start",
    "/nlu_fallback",
])
def test_typed_intent_syntax_is_not_executed(stack: Stack, typed: str) -> None:
    from bot import messages

    user = sender()
    say(stack, user, "Hallo")
    answer = texts(say(stack, user, typed))
    assert answer == messages.TYPED_COMMAND
    state = tracker(stack, user)
    assert state["slots"].get("ort") is None and state["slots"].get("thema") is None
    assert user_intents(stack, user) == ["greet"]  # the typed text never reached Rasa


def test_offered_button_payloads_are_accepted(stack: Stack) -> None:
    user = sender()
    reply = say(stack, user, "Wie melde ich ein Gewerbe an?")
    offered = payloads(reply)
    assert '/contact_human{"thema": "gewerbe"}' in offered and '/feedback{"bewertung": "gut"}' in offered
    assert "Danke" in texts(say(stack, user, '/feedback{"bewertung": "gut"}'))
    # a button of the earlier answer (still visible in the widget) works as well
    assert "Ort oder Landkreis" in texts(say(stack, user, '/contact_human{"thema": "gewerbe"}'))
    assert tracker(stack, user)["slots"]["thema"] == "gewerbe"


def test_channel_commands_of_the_telegram_bridge_still_work(stack: Stack) -> None:
    user = sender()
    assert "Gründungslotse" in texts(say(stack, user, "/greet"))
    assert "Wählen Sie ein Thema" in texts(say(stack, user, "/help"))
    assert "neu gestartet" in texts(say(stack, user, "/start_over"))


# --- #15.10: cross-site requests, invisible characters ------------------------------------

def test_cross_site_text_plain_post_is_refused(stack: Stack) -> None:
    user = sender()
    body = '{"sender": "%s", "message": "Ich heiße Mallory"}' % user
    for origin in ("https://evil.example", "null"):
        reply = post(stack, body, headers={"Content-Type": "text/plain", "Origin": origin})
        assert reply.status_code == 403, origin
    assert user_intents_or_none(stack, user) == []


def user_intents_or_none(stack: Stack, user: str) -> list:
    return [e for e in tracker(stack, user)["events"] if e["event"] == "user"]


def test_allowed_origin_and_clients_without_origin_are_served(stack: Stack) -> None:
    allowed = stack.settings.cors_origins[0]
    reply = post(stack, {"sender": sender(), "message": "Hallo"}, headers={"Origin": allowed})
    assert reply.status_code == 200 and "Gründungslotse" in texts(reply.json())
    reply = post(stack, {"sender": sender(), "message": "Hallo"})  # curl, the Telegram bridge
    assert reply.status_code == 200


def test_zero_width_characters_do_not_reach_nlu(stack: Stack) -> None:
    user = sender()
    answer = texts(say(stack, user, "Wie melde ich ein Gew\u200berbe an\u2060?"))
    assert "Gewerbeamt" in answer
    stored = [e["text"] for e in tracker(stack, user)["events"] if e["event"] == "user"]
    assert stored == ["Wie melde ich ein Gewerbe an?"]
