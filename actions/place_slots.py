"""Place slots for the forms: a place or university → canonical ``ort``, ``kreis``, ``land``.

(The Land for FAQ answers comes from the NLU pipeline, bot/nlp/place_land.py – no action call
per message.)
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, Optional, Text

from rasa_sdk import Tracker

from bot.config import load_settings
from bot.directory.places import PlaceMatch, resolve
from bot.directory.yaml_source import DirectoryError

logger = logging.getLogger(__name__)

# Intents that end a form at any step (rules in data/rules.yml answer them once the form takes nothing);
# "deny" only as a plain no – "weiß nicht" to the phone question is an (invalid) answer, asked again.
LEAVE_FORM = frozenset({"cancel", "start_over", "deny", "goodbye"})
PLAIN_NO = re.compile(r"^\s*(nein|ne|nee|nö|noe|no|nope|lieber nicht|doch nicht)\b", re.I)
# Questions and requests a founder may send while a form waits: the form takes nothing, the rules
# answer them (and offer the form's question again, or start the other form).
SIDE_REQUESTS = frozenset({"faq", "help", "greet", "thanks", "bot_challenge", "out_of_scope", "other_language",
                           "ask_privacy", "human_handover", "feedback"})
FORM_INTENTS = {"contact_form": "contact_human", "funding_form": "find_funding", "callback_form": "request_callback"}


def in_english(tracker: Tracker) -> bool:
    """The founder writes English (slot sprache, bot/nlp/reply_language.py)."""
    return tracker.get_slot("sprache") == "en"


def latest_intent(tracker: Tracker) -> Optional[str]:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


def leaves_form(tracker: Tracker) -> bool:
    """Cancel, restart, goodbye – or a plain "nein"."""
    intent = latest_intent(tracker)
    if intent == "deny":
        return bool(PLAIN_NO.match((tracker.latest_message or {}).get("text") or ""))
    return intent in LEAVE_FORM


def interrupted(tracker: Tracker, form: str) -> bool:
    """The latest message asks for something else than the form's question (forms check first
    whether the text is a valid answer – "Kredit", a place, a phone number – and take it then)."""
    intent = latest_intent(tracker)
    if leaves_form(tracker) or intent in SIDE_REQUESTS:
        return True
    return intent in FORM_INTENTS.values() and intent != FORM_INTENTS.get(form)


def lookup(text: Optional[str]) -> Optional[PlaceMatch]:
    """Resolve a place; ``None`` when the directory database is unavailable (logged for operators)."""
    if not text or not str(text).strip():
        return None
    try:
        return resolve(str(text), load_settings().directory_db)
    except DirectoryError as error:
        logger.error("contact directory unavailable: %s", error)
        return None


def place_slots(match: PlaceMatch) -> Dict[Text, Any]:
    """Slots for a resolved place (found/outside); ambiguous/unknown only record the status."""
    if match.status == "found" and match.region is not None:
        region = match.region
        slots: Dict[Text, Any] = {"ort": region.name, "kreis": region.kreis, "land": region.land,
                                  "ort_status": "found", "ort_kandidaten": None}
        if match.institution is not None:
            slots["hochschule"] = match.institution.name
        return slots
    if match.status == "outside":
        return {"ort": match.outside_name, "kreis": None, "land": None, "ort_status": "outside",
                "ort_kandidaten": None}
    if match.status == "ambiguous":
        return {"ort_status": "ambiguous", "ort_kandidaten": [r.name for r in match.candidates]}
    return {"ort_status": "unknown"}
