"""Funding finder: at most three questions (Land, phase, kind), each skippable, then the programmes.

Answers are read from the text (buttons send plain words), so "egal", "überspringen" or a typed
"kredit" work alike; what the user already said (Land from an earlier place, words in the first
message) is not asked again.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.place_slots import LEAVE_FORM, latest_intent, lookup, place_slots
from bot import messages
from bot.config import load_settings
from bot.directory.programmes import ANY, ProgrammeResult, find_programmes
from bot.directory.text import fold
from bot.directory.yaml_source import DirectoryError
from bot.render import oldest_stand

logger = logging.getLogger(__name__)
SLOTS = ("foerder_land", "foerder_phase", "foerder_art")
UNCLEAR = "?"  # extracted but not understood; validation turns it into a re-ask
SKIP = re.compile(r"\b(egal|ueberspringen|uberspringen|skip|weiss nicht|weiss ich nicht|keine ahnung|"
                  r"alle|beides|ist mir gleich|weiter|nicht sicher|unklar)\b")
LAND_WORDS: Tuple[Tuple[str, str], ...] = (
    (r"\bsachsen anhalt\b|\bsachsenanhalt\b|\blsa\b", "Sachsen-Anhalt"),
    (r"\bthueringen\b|\bthuringen\b|\bthuringia\b", "Thüringen"),
    (r"\bsachsen\b|\bsaxony\b", "Sachsen"),
    (r"\bbund\b|\bbundesweit\b|\bdeutschlandweit\b", ANY),
)
PHASE_WORDS: Tuple[Tuple[str, str], ...] = (
    (r"\bidee\b|\bvor der gruendung\b|\bplan\w*\b|\bnoch nicht gegruendet\b|\bvorgruendung\b|\bstudium\b", "idee"),
    (r"\bwachstum\b|\bwachsen\b|\bexpan\w*\b|\bskalier\w*\b|\bseit (ein|zwei|drei|\d) jahr\w*\b|\bspaeter\b", "wachstum"),
    (r"\bgruendung\b|\bgruende\b|\bstart\w*\b|\bgerade gegruendet\b|\bfrisch gegruendet\b|\bjetzt\b|\bgruenden\b",
     "gruendung"),
)
KIND_WORDS: Tuple[Tuple[str, str], ...] = (
    (r"\bzuschu\w*\b|\bzuschuesse\b|\bnicht zurueck\w*\b|\bgeschenkt\b|\bpraemie\b", "Zuschuss"),
    (r"\bstipendi\w*\b|\blebensunterhalt\b", "Stipendium"),
    (r"\bkredit\w*\b|\bdarlehen\b|\bdarlehn\b|\bloan\b", "Kredit"),
    (r"\bbeteiligung\w*\b|\bwagniskapital\b|\brisikokapital\b|\binvestor\w*\b|\bventure\b|\beigenkapital\b",
     "Beteiligung"),
    (r"\bberatung\b|\bcoaching\b", "Beratung"),
)
WORDS = {"foerder_land": LAND_WORDS, "foerder_phase": PHASE_WORDS, "foerder_art": KIND_WORDS}
FOLLOW_UP = [{"title": "Wer berät mich dazu?", "payload": '/contact_human{"thema": "foerderung"}'},
             {"title": "Neue Suche", "payload": "/find_funding"}]
PHASE_LABELS = {"idee": "vor der Gründung", "gruendung": "in der Gründung", "wachstum": "im Wachstum"}


def match_words(text: str, slot: str) -> Optional[str]:
    folded = fold(text)
    for pattern, value in WORDS[slot]:
        if re.search(pattern, folded):
            return value
    return None


def land_of_place(text: str) -> Optional[str]:
    """The Land of a place in the three Länder named in ``text`` (typos allowed), else ``None``."""
    match = lookup(text)
    return place_slots(match).get("land") if match is not None else None


def _cancelled(tracker: Tracker) -> bool:
    """Answers are plain words, so only leaving the finder counts as an interruption here."""
    return latest_intent(tracker) in LEAVE_FORM


def _latest_text(tracker: Tracker) -> str:
    return ((tracker.latest_message or {}).get("text") or "")[:500]


class ValidateFundingForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_funding_form"

    def domain_slots(self, domain: DomainDict) -> List[Text]:
        """Fixed list, so Rasa need not send the whole domain with every call (selective domain)."""
        return list(SLOTS)

    def _extract(self, slot: str, tracker: Tracker) -> Dict[Text, Any]:
        if tracker.get_slot(slot) is not None or _cancelled(tracker):
            return {}
        text = _latest_text(tracker)
        value = match_words(text, slot)
        if tracker.get_slot("requested_slot") == slot:  # the answer to our question
            if value is None and (SKIP.search(fold(text)) or tracker.get_slot("foerder_unklar") == slot):
                value = ANY  # skipped – or not understood twice: don't trap the founder in a loop
            return {slot: value or UNCLEAR}
        if slot == "foerder_phase" and value == "gruendung":
            return {}  # "Gründung" is in almost every question – only an answer counts
        return {slot: value} if value else {}  # said in passing (e.g. in the first message)

    async def extract_foerder_land(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> Dict[Text, Any]:
        known = tracker.get_slot("land")
        if tracker.get_slot("foerder_land") is None and known and tracker.get_slot("requested_slot") is None:
            return {"foerder_land": known}  # the place the founder named earlier
        extracted = self._extract("foerder_land", tracker)
        if extracted.get("foerder_land") in (None, UNCLEAR) and tracker.get_slot("foerder_land") is None \
                and not _cancelled(tracker):
            land = land_of_place(_latest_text(tracker))
            if land:  # a town or district, also misspelt: "Magdebrug Förderung" → Sachsen-Anhalt
                return {"foerder_land": land}
        return extracted

    @staticmethod
    def _validate(slot: str, value: Any) -> Dict[Text, Any]:
        if value == UNCLEAR:
            return {slot: None, "foerder_unklar": slot}  # asked again, with a hint (utter_ask_* variant)
        return {slot: value, "foerder_unklar": None}

    async def validate_foerder_land(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> Dict[Text, Any]:
        return self._validate("foerder_land", value)

    async def validate_foerder_phase(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> Dict[Text, Any]:
        return self._validate("foerder_phase", value)

    async def validate_foerder_art(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> Dict[Text, Any]:
        return self._validate("foerder_art", value)

    async def extract_foerder_phase(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> Dict[Text, Any]:
        return self._extract("foerder_phase", tracker)

    async def extract_foerder_art(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Dict[Text, Any]:
        return self._extract("foerder_art", tracker)


def _programme_line(p: ProgrammeResult) -> str:
    """Name, kind, area, amount – short enough for a phone; details behind the link."""
    area = "bundesweit" if p.area == "Bund" else p.area
    amount = p.amount if p.amount and len(p.amount) <= 90 else (p.amount or "")[:90].rsplit(" ", 1)[0] + " …"
    return f"• {p.name} ({p.kind}, {area})" + (f": {amount}" if p.amount else "") + f"\n  {p.link}"


class ActionFundingResults(Action):
    def name(self) -> Text:
        return "action_funding_results"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        land, phase, kind = (tracker.get_slot(s) for s in SLOTS)
        target = "hochschule" if tracker.get_slot("hochschule") else None
        try:
            found = find_programmes(load_settings().directory_db, land, phase, kind, target, limit=4)
        except DirectoryError as error:
            logger.error("programme table unavailable: %s", error)
            dispatcher.utter_message(text=messages.TECHNICAL_PROBLEM)
            return self._reset()
        chosen = [v for v in (land if land != ANY else None,
                              PHASE_LABELS.get(str(phase)) if phase != ANY else None,
                              kind if kind != ANY else None) if v]
        summary = f" ({', '.join(chosen)})" if chosen else ""
        if not found:
            dispatcher.utter_message(
                text=f"Dazu{summary} finde ich kein Programm in meiner Liste. Die Förderdatenbank des Bundes "
                     f"(https://www.foerderdatenbank.de) und die Förderbank Ihres Landes helfen weiter.",
                buttons=FOLLOW_UP)
            return self._reset()
        lines = "\n".join(_programme_line(p) for p in found)
        dispatcher.utter_message(
            text=f"Passende Programme{summary}:\n{lines}\nBeträge laut Quelle; Bedingungen vor dem Antrag "
                 f"prüfen. {oldest_stand(p.verified for p in found)}",
            buttons=FOLLOW_UP)
        return self._reset()

    @staticmethod
    def _reset() -> List[EventType]:
        """Phase and kind belong to this search; the Land stays known for the next one."""
        return [SlotSet(s, None) for s in (*SLOTS, "foerder_unklar")]


