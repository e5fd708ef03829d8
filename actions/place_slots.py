"""Place slots for the forms: a place or university → canonical ``ort``, ``kreis``, ``land``.

(The Land for FAQ answers comes from the NLU pipeline, bot/nlp/place_land.py – no action call
per message.)
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Optional, Text

from rasa_sdk import Tracker

from bot.config import load_settings
from bot.directory.places import PlaceMatch, resolve
from bot.directory.yaml_source import DirectoryError

logger = logging.getLogger(__name__)

# Intents that end a form at any step (rules in data/rules.yml answer them once the form takes nothing).
LEAVE_FORM = frozenset({"cancel", "start_over"})


def latest_intent(tracker: Tracker) -> Optional[str]:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


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
