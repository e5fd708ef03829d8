"""Feedback actions with tracker fixtures: unanswered questions and 👍/👎 go masked into the inbox."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.feedback import ActionRecordFeedback, ActionRecordUnanswered, typed_rating
from bot.staff.inbox_store import open_items, rating_counts


@pytest.fixture()
def inbox(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "inbox.db"
    monkeypatch.setenv("GL_INBOX_DB", str(db))
    return db


def selector(key: Optional[str], response_key: Optional[str] = None) -> Dict[str, Any]:
    ranking = [{"intent_response_key": key, "confidence": 0.4}] if key else []
    response = {"intent_response_key": response_key} if response_key else {}
    return {"faq": {"ranking": ranking, "response": response}}


def parse(text: str, intent: str, faq_key: Optional[str] = None,
          entities: Optional[List[Dict[str, Any]]] = None) -> Dict[str, Any]:
    return {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities or [],
            "response_selector": selector(faq_key, faq_key)}


def tracker(latest: Dict[str, Any], earlier: Optional[List[Dict[str, Any]]] = None) -> Tracker:
    """Tracker whose events are the ``earlier`` parse results, bot turns, then ``latest``."""
    events: List[Dict[str, Any]] = []
    for data in earlier or []:
        events += [{"event": "user", "text": data["text"], "parse_data": data},
                   {"event": "action", "name": "utter_faq"}, {"event": "bot", "text": "Antwort …"}]
    events.append({"event": "user", "text": latest["text"], "parse_data": latest})
    return Tracker("test-user", {}, latest, events, False, None, {}, "action_listen")


def run(action: Action, t: Tracker) -> tuple:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, {}))
    return dispatcher.messages, events


def feedback(value: str) -> Dict[str, Any]:
    return parse(f'/feedback{{"bewertung": "{value}"}}', "feedback",
                 entities=[{"entity": "bewertung", "value": value}])


def all_columns(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT * FROM inbox_items").fetchall() + conn.execute("SELECT * FROM ratings").fetchall()
    return repr(rows)


# --- unanswered -------------------------------------------------------------------------------

def test_unanswered_question_is_stored_masked_with_closest_topic(inbox: Path) -> None:
    text = "Ich heiße Anna Schmidt, wie bekomme ich einen Gewerbeschein? Tel 0171/1234567"
    messages, events = run(ActionRecordUnanswered(), tracker(parse(text, "nlu_fallback", "faq/gewerbeanmeldung")))
    assert messages == [] and events == []
    [item] = open_items(inbox)
    assert (item.kind, item.closest_topic, item.status) == ("unbeantwortet", "gewerbeanmeldung", "offen")
    assert item.text == "Ich heiße [Name], wie bekomme ich einen Gewerbeschein? Tel [Telefon]"
    assert "test-user" not in all_columns(inbox) and "Schmidt" not in all_columns(inbox)


def test_unanswered_without_ranking_has_no_topic(inbox: Path) -> None:
    latest = {"text": "blablub", "intent": {"name": "nlu_fallback"}, "entities": []}
    run(ActionRecordUnanswered(), tracker(latest))
    assert open_items(inbox)[0].closest_topic is None


def test_button_payloads_and_empty_texts_are_not_questions(inbox: Path) -> None:
    run(ActionRecordUnanswered(), tracker(parse("/out_of_scope", "out_of_scope")))
    run(ActionRecordUnanswered(), tracker(parse("   ", "nlu_fallback")))
    assert open_items(inbox) == []


def test_unanswered_never_raises(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                 caplog: pytest.LogCaptureFixture) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("GL_INBOX_DB", str(blocker / "inbox.db"))  # parent is a file: cannot be created
    messages, events = run(ActionRecordUnanswered(), tracker(parse("geheime Frage", "nlu_fallback")))
    assert (messages, events) == ([], [])
    assert "not stored" in caplog.text and "geheime Frage" not in caplog.text


# --- feedback ---------------------------------------------------------------------------------

def test_thumbs_up_counts_for_the_rated_topic(inbox: Path) -> None:
    question = parse("Wie melde ich ein Gewerbe an?", "faq", "faq/gewerbeanmeldung")
    messages, events = run(ActionRecordFeedback(), tracker(feedback("gut"), [question]))
    assert [m["response"] for m in messages] == ["utter_feedback_thanks"] and events == []
    assert rating_counts(inbox) == {"gewerbeanmeldung": (1, 0)}
    assert open_items(inbox) == []


def test_thumbs_down_counts_and_puts_the_question_into_the_inbox(inbox: Path) -> None:
    older = parse("Was kostet die IHK?", "faq", "faq/ihk_beitrag")
    other = parse("danke", "thank")
    question = parse("Brauche ich eine Genehmigung? Grüße, Tom", "faq", "faq/genehmigungen")
    messages, _ = run(ActionRecordFeedback(), tracker(feedback("schlecht"), [older, question, other]))
    assert [m["response"] for m in messages] == ["utter_feedback_sorry"]
    assert rating_counts(inbox) == {"genehmigungen": (0, 1)}
    [item] = open_items(inbox)
    assert (item.kind, item.text, item.closest_topic) == ("bewertung", "Brauche ich eine Genehmigung? Grüße, [Name]",
                                                          "genehmigungen")


def test_topic_falls_back_to_the_ranking(inbox: Path) -> None:
    question = parse("gewerbe?", "faq")
    question["response_selector"] = selector("faq/gewerbeanmeldung")
    run(ActionRecordFeedback(), tracker(feedback("gut"), [question]))
    assert rating_counts(inbox) == {"gewerbeanmeldung": (1, 0)}


def test_no_faq_answer_before_means_thanks_and_nothing_stored(inbox: Path) -> None:
    messages, events = run(ActionRecordFeedback(), tracker(feedback("schlecht"), [parse("hallo", "greet")]))
    assert [m["response"] for m in messages] == ["utter_feedback_thanks"] and events == []
    assert rating_counts(inbox) == {} and open_items(inbox) == []


def test_unknown_rating_stores_nothing(inbox: Path) -> None:
    question = parse("Wie melde ich ein Gewerbe an?", "faq", "faq/gewerbeanmeldung")
    messages, _ = run(ActionRecordFeedback(), tracker(feedback("super"), [question]))
    assert [m["response"] for m in messages] == ["utter_feedback_thanks"]
    assert rating_counts(inbox) == {}


def test_feedback_storage_failure_still_answers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("GL_INBOX_DB", str(blocker / "inbox.db"))
    question = parse("Wie melde ich ein Gewerbe an?", "faq", "faq/gewerbeanmeldung")
    messages, _ = run(ActionRecordFeedback(), tracker(feedback("schlecht"), [question]))
    assert [m["response"] for m in messages] == ["utter_feedback_sorry"]


def test_selector_filed_under_default_as_rasa_does_without_retrieval_intent(inbox: Path) -> None:
    """config.yml names no retrieval_intent, so Rasa files the FAQ selector under "default"."""
    question = parse("Brauche ich eine Reisegewerbekarte?", "faq")
    question["response_selector"] = {"default": selector("faq/genehmigungen", "faq/genehmigungen")["faq"]}
    run(ActionRecordFeedback(), tracker(feedback("schlecht"), [question]))
    [item] = open_items(inbox)
    assert item.closest_topic == "genehmigungen"


def test_typed_feedback_without_buttons_is_understood() -> None:
    assert typed_rating("die antwort war nicht hilfreich") == "schlecht"
    assert typed_rating("die antwort war hilfreich") == "gut"
