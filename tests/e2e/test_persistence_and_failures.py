"""Restart survival on the SQLite store, and a stopped action server."""

import uuid
from pathlib import Path

import pytest
import requests

from bot import messages
from bot.serve import start_stack
from tests.conftest import say, stack_settings, texts

pytestmark = pytest.mark.e2e


def tracker_events(stack, user: str) -> list:
    reply = requests.get(
        f"{stack.settings.rasa_url}/conversations/{user}/tracker",
        params={"token": stack.token}, timeout=30,
    )
    assert reply.status_code == 200, reply.text
    return reply.json()["events"]


def test_conversation_survives_restart_and_action_server_outage(model_path: Path, tmp_path: Path) -> None:
    settings = stack_settings(tmp_path)
    user = f"restart-{uuid.uuid4().hex[:8]}"
    stack = start_stack(settings, model_path)
    try:
        say(stack, user, "Hallo")
        say(stack, user, "Wie melde ich ein Gewerbe an?")
        before = [e for e in tracker_events(stack, user) if e["event"] == "user"]
        assert [e["text"] for e in before] == ["Hallo", "Wie melde ich ein Gewerbe an?"]

        stack.stop("rasa")
        stack.start_rasa(model_path)
        after = [e for e in tracker_events(stack, user) if e["event"] == "user"]
        assert [e["text"] for e in after] == ["Hallo", "Wie melde ich ein Gewerbe an?"]
        assert "Chatbot" in texts(say(stack, user, "bist du ein bot?"))

        # the action server goes down: the user still gets a clear answer with a contact
        stack.stop("actions")
        answer = texts(say(stack, user, "Ich möchte persönlich beraten werden"))
        assert answer == messages.TECHNICAL_PROBLEM
        assert "115" in answer and "Wirtschaftsförderung" in answer
        # and responses that need no action server keep working
        assert "Gründungslotse" in texts(say(stack, user, "Guten Tag"))
    finally:
        stack.stop()
