"""Collect what the editorial team needs: unanswered questions and 👍/👎 on FAQ answers.

Both actions store only masked texts and FAQ topic names in the inbox (bot/staff/inbox_store.py),
never sender ids; storage problems are logged (without the message text) and never reach the user.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.staff.inbox_store import add_item, add_rating, inbox_db_path

logger = logging.getLogger(__name__)
FAQ_INTENT = "faq"


NEGATIVE = re.compile(r"\b(nicht|nichts|falsch\w*|schlecht\w*|unbrauchbar|verfehlt|kein\w*)\b", re.I)


def typed_rating(text: str) -> Optional[str]:
    """A typed "war nicht hilfreich" instead of a 👎 button."""
    return "schlecht" if NEGATIVE.search(text) else ("gut" if text.strip() else None)


def _topic(key: Any) -> Optional[str]:
    """"faq/gewerbeanmeldung" → "gewerbeanmeldung"."""
    if not isinstance(key, str) or not key.strip():
        return None
    return key.strip().split("/", 1)[-1] or None


def closest_topic(parse_data: Dict[str, Any], use_response: bool = False) -> Optional[str]:
    """The FAQ topic the response selector chose (``use_response``) or ranked first."""
    selectors = parse_data.get("response_selector") or {}
    # Rasa files the selector under "default" when config.yml names no retrieval_intent
    selector = selectors.get(FAQ_INTENT) or selectors.get("default") or {}
    if use_response:
        topic = _topic((selector.get("response") or {}).get("intent_response_key"))
        if topic:
            return topic
    ranking = selector.get("ranking") or []
    return _topic(ranking[0].get("intent_response_key")) if ranking and isinstance(ranking[0], dict) else None


def last_faq_question(tracker: Tracker) -> Optional[Tuple[str, Optional[str]]]:
    """(question text, topic) of the most recent user message classified as ``faq``."""
    for event in reversed(tracker.events or []):
        if event.get("event") != "user":
            continue
        parse_data = event.get("parse_data") or {}
        if (parse_data.get("intent") or {}).get("name") == FAQ_INTENT:
            return str(event.get("text") or ""), closest_topic(parse_data, use_response=True)
    return None


class ActionRecordUnanswered(Action):
    """After a fallback: keep the (masked) question for the inbox; says nothing."""

    def name(self) -> Text:
        return "action_record_unanswered"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        try:
            latest = tracker.latest_message or {}
            text = str(latest.get("text") or "").strip()
            if text and not text.startswith("/"):  # "/intent" payloads are buttons, not questions
                add_item(inbox_db_path(), "unbeantwortet", text, closest_topic(latest))
        except Exception as error:  # noqa: BLE001 – the conversation must go on
            logger.error("unanswered question not stored: %s", type(error).__name__)
        return []


class ActionRecordFeedback(Action):
    """👍/👎 after an FAQ answer: count it; a 👎 puts the question into the inbox."""

    def name(self) -> Text:
        return "action_record_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        rating = next(tracker.get_latest_entity_values("bewertung"), None)
        rating = str(rating).strip().lower() if rating is not None else typed_rating(
            (tracker.latest_message or {}).get("text") or "")
        faq = last_faq_question(tracker)
        if rating in ("gut", "schlecht") and faq is not None and faq[1]:
            question, topic = faq
            try:
                add_rating(inbox_db_path(), topic, rating)
                if rating == "schlecht" and question.strip():
                    add_item(inbox_db_path(), "bewertung", question, topic)
            except Exception as error:  # noqa: BLE001 – thank the user anyway
                logger.error("feedback not stored: %s", type(error).__name__)
            if rating == "schlecht":
                dispatcher.utter_message(response="utter_feedback_sorry")
                return []
        dispatcher.utter_message(response="utter_feedback_thanks")
        return []
