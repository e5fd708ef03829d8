"""Place slots for every turn: a place or university in a message → canonical ``ort``, ``kreis``, ``land``.

``action_validate_slot_mappings`` runs after each user message that set ``ort`` or ``hochschule``,
so FAQ answers can be tailored to the Land and the contact form knows the Kreis.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction
from rasa_sdk.types import DomainDict

from bot.config import load_settings
from bot.directory.places import PlaceMatch, resolve
from bot.directory.yaml_source import DirectoryError

logger = logging.getLogger(__name__)


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


class ValidatePlaceSlots(ValidationAction):
    def name(self) -> Text:
        return "action_validate_slot_mappings"

    async def validate_ort(self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> Dict[Text, Any]:
        match = lookup(slot_value)
        if match is None:
            return {}
        slots = place_slots(match)
        if match.status in ("ambiguous", "unknown"):
            slots["ort"] = slot_value  # keep what was said; the forms ask back
        return slots

    async def validate_hochschule(self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Dict[Text, Any]:
        match = lookup(slot_value)
        if match is None or match.institution is None:
            return {}
        return place_slots(match)
