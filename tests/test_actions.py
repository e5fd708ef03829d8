"""Action tests with tracker fixtures (rasa_sdk objects, no server)."""

import asyncio
from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.general_contact as general_contact
from actions.general_contact import ActionGeneralContact
from bot import messages
from bot.directory.general import load_general_contacts


@pytest.fixture
def tracker() -> Tracker:
    latest: Dict[str, Any] = {
        "text": "Ich möchte persönlich beraten werden",
        "intent": {"name": "contact_human", "confidence": 0.98},
        "entities": [],
    }
    return Tracker("test-user", {}, latest, [], False, None, {}, "action_listen")


def run(action: Action, tracker: Tracker) -> List[Dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, {}))
    assert events == []
    return dispatcher.messages


def test_general_contact_lists_sourced_contacts(tracker: Tracker) -> None:
    text = run(ActionGeneralContact(), tracker)[0]["text"]
    assert "Wirtschaftsförderung" in text
    assert "Behördennummer 115" in text and "https://www.115.de" in text
    assert "Stand: " in text


def test_general_contact_with_broken_directory_says_so(
    tracker: Tracker, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    broken = tmp_path / "allgemein.yml"
    broken.write_text("contacts: [\n", encoding="utf-8")
    monkeypatch.setattr(general_contact, "load_general_contacts", lambda: load_general_contacts(broken))
    assert run(ActionGeneralContact(), tracker)[0]["text"] == messages.TECHNICAL_PROBLEM
