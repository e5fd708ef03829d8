"""End to end over HTTP: real Rasa server + real action server on loopback, SQLite store."""

import sqlite3
import uuid

import pytest

from bot import messages
from bot.serve import Stack
from tests.conftest import say, texts

pytestmark = pytest.mark.e2e


def sender() -> str:
    return f"e2e-{uuid.uuid4().hex[:8]}"


def test_greeting_help_with_topic_buttons(stack: Stack) -> None:
    user = sender()
    assert "Gründungslotse" in texts(say(stack, user, "Guten Tag"))
    reply = say(stack, user, "Was können Sie?")
    buttons = [b["title"] for m in reply for b in m.get("buttons", [])]
    assert "Gewerbe anmelden" in buttons and "Persönliche Beratung" in buttons


def test_du_form_typo_and_missing_umlauts_reach_the_faq(stack: Stack) -> None:
    answer = texts(say(stack, sender(), "wie kann ich mein gewerbe anmelen?"))
    assert "Gewerbeamt" in answer and "Stand:" in answer and "https://" in answer
    answer = texts(say(stack, sender(), "gruendungszuschuss vom arbeitsamt"))
    assert "150 Tage" in answer and "Stand:" in answer


def test_bot_challenge(stack: Stack) -> None:
    assert "Chatbot" in texts(say(stack, sender(), "Bin ich mit einem Menschen verbunden?"))


@pytest.mark.parametrize("question", ["Wie melde ich meinen Hund an?", "Wie wird das Wetter in Leipzig?"])
def test_off_topic_gets_scope_and_general_contact_not_a_faq(stack: Stack, question: str) -> None:
    answer = texts(say(stack, sender(), question))
    assert "115" in answer
    assert "Stand:" not in answer  # no random FAQ answer


def test_contact_request_asks_for_the_place_then_names_contacts(stack: Stack) -> None:
    user = sender()
    assert "Ort oder Landkreis" in texts(say(stack, user, "Ich möchte persönlich beraten werden"))
    answer = texts(say(stack, user, "Plauen"))
    assert "Vogtlandkreis" in answer and "Stand:" in answer


def test_start_over_restarts(stack: Stack) -> None:
    user = sender()
    say(stack, user, "Hallo")
    assert "neu gestartet" in texts(say(stack, user, "nochmal von vorne"))


def test_conversation_is_stored_in_the_sqlite_file(stack: Stack) -> None:
    user = sender()
    say(stack, user, "Wie melde ich ein Gewerbe an?")
    with sqlite3.connect(stack.settings.tracker_db) as db:
        count = db.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?", (user,)).fetchone()[0]
    assert count >= 3  # session start, user message, bot answer …


# --- bad input: a sensible German reply, never silence or a crash ------------------

def test_empty_message(stack: Stack) -> None:
    assert texts(say(stack, sender(), "")) == messages.EMPTY_MESSAGE
    assert texts(say(stack, sender(), "   \n ")) == messages.EMPTY_MESSAGE


def test_missing_message_field(stack: Stack) -> None:
    assert texts(say(stack, sender(), None)) == messages.EMPTY_MESSAGE


def test_ten_thousand_characters(stack: Stack) -> None:
    long_text = ("Ich erzähle Ihnen von meiner Idee für ein Café in Leipzig. " * 200)[:10_000]
    reply = say(stack, sender(), long_text)
    assert messages.message_truncated(2000) in texts(reply)
    assert len(reply) >= 2  # an answer plus the note about the length


def test_emoji_only(stack: Stack) -> None:
    assert texts(say(stack, sender(), "🤔🤔🚀")) == messages.NO_WORDS
    assert texts(say(stack, sender(), "?!")) == messages.NO_WORDS


def test_html_and_script_tags_are_not_echoed(stack: Stack) -> None:
    answer = texts(say(stack, sender(), "<script>alert('x')</script><b>hallo</b>"))
    assert answer and "<script>" not in answer and messages.TECHNICAL_PROBLEM not in answer


def test_control_characters(stack: Stack) -> None:
    answer = texts(say(stack, sender(), "Gewerbe\x00 anmelden\x07\x1b[0m"))
    assert answer and messages.TECHNICAL_PROBLEM not in answer


def test_non_german_text(stack: Stack) -> None:
    answer = texts(say(stack, sender(), "Quel temps fait-il à Paris demain?"))
    assert "Deutsch" in answer and "Stand:" not in answer


def test_malformed_json_gets_a_400_with_german_hint(stack: Stack) -> None:
    import requests

    reply = requests.post(
        f"{stack.settings.rasa_url}/webhooks/rest/webhook", data=b"{kaputt", timeout=10,
        headers={"Content-Type": "application/json"},
    )
    assert reply.status_code == 400
    assert "Erwartet wird JSON" in reply.json()["error"]


def test_logs_contain_no_message_texts_or_contact_data(stack: Stack) -> None:
    secret = "Meine Mail ist anna.beispiel@example.org, Telefon 0341 5550199"
    say(stack, sender(), secret)
    for log in stack.log_dir.glob("*.log"):
        content = log.read_text(encoding="utf-8", errors="replace")
        assert "anna.beispiel@example.org" not in content, log
        assert "5550199" not in content, log


def test_terminal_chat_talks_to_the_running_bot(stack: Stack) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "GL_RASA_PORT": str(stack.settings.rasa_port)}
    result = subprocess.run(
        [sys.executable, "-m", "bot.chat"], input="Hallo\nWas können Sie?\n1\n/stop\n",
        capture_output=True, text=True, env=env, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Bot: Hallo! Ich bin der Gründungslotse" in result.stdout
    assert "[1] Gewerbe anmelden" in result.stdout
    assert "Gewerbeamt" in result.stdout  # button 1 was sent as its payload


# --- answers for the founder's Land ---------------------------------------------------

def test_without_a_place_the_three_laender_are_listed(stack: Stack) -> None:
    answer = texts(say(stack, sender(), "Wie melde ich ein Gewerbe an?"))
    assert "\nSachsen: " in answer and "\nSachsen-Anhalt: " in answer and "\nThüringen: " in answer


def test_a_named_city_selects_its_land(stack: Stack) -> None:
    answer = texts(say(stack, sender(), "Wie melde ich in Jena ein Gewerbe an?"))
    assert "\nThüringen: " in answer
    assert "\nSachsen: " not in answer and "\nSachsen-Anhalt: " not in answer


def test_the_land_is_remembered_for_later_questions(stack: Stack) -> None:
    user = sender()
    say(stack, user, "Wo melde ich in Magdeburg mein Gewerbe an?")
    answer = texts(say(stack, user, "Welche Fördermöglichkeiten gibt es für Gründer?"))
    assert "\nSachsen-Anhalt: Investitionsbank" in answer
    assert "\nThüringen: " not in answer
