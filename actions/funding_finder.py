"""Funding finder: programmes at once when the question says enough, else up to three questions.

A question that names a Land (or a town), a kind (Stipendium, Kredit, Zuschuss, Beteiligung) or a
situation (Ausgründung aus der Forschung, arbeitslos, Bürgergeld) gets the matching programmes at
once, with buttons to narrow the search. Only "Welche Förderung passt zu mir?" – nothing known –
starts the questions (Land, phase, kind), each skippable; any other question leaves the finder
(actions/find_contact.py ``interrupted``). A typed question starts a new search; a refinement
button (``/find_funding{"land": …}``) keeps the other filters of the last search.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.place_slots import in_english, interrupted, leaves_form, lookup, place_slots
from bot import messages
from bot.config import load_settings
from bot.directory.programmes import ANY, ProgrammeResult, find_programmes
from bot.directory.sources import KINDS
from bot.directory.text import fold
from bot.directory.yaml_source import DirectoryError
from bot.funding_words import KIND_WORDS, TARGET_WORDS
from bot.render import oldest_stand

logger = logging.getLogger(__name__)
SLOTS = ("foerder_land", "foerder_phase", "foerder_art")
FILTERS = (*SLOTS, "foerder_ziel")
UNCLEAR = "?"  # extracted but not understood; validation turns it into a re-ask
SKIP = re.compile(r"\b(egal|ueberspringen|uberspringen|skip|weiss nicht|weiss ich nicht|keine ahnung|"
                  r"alle|beides|ist mir gleich|weiter|nicht sicher|unklar)\b")
LAND_WORDS: Tuple[Tuple[str, str], ...] = (
    (r"\bsachsen anhalt\b|\bsachsenanhalt\b|\blsa\b|\bsaxony anhalt\b", "Sachsen-Anhalt"),
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
WORDS = {"foerder_land": LAND_WORDS, "foerder_phase": PHASE_WORDS, "foerder_art": KIND_WORDS,
         "foerder_ziel": TARGET_WORDS}
ADVICE = {"title": "Wer berät mich dazu?", "payload": '/contact_human{"thema": "foerderung"}'}
ADVICE_EN = {"title": "Who can advise me?", "payload": '/contact_human{"thema": "foerderung"}'}
PHASE_LABELS = {"idee": "vor der Gründung", "gruendung": "in der Gründung", "wachstum": "im Wachstum"}
TARGET_LABELS = {"hochschule": "aus Hochschule/Forschung", "arbeitslos": "aus der Arbeitslosigkeit",
                 "buergergeld": "aus dem Bürgergeld", "innovativ": "innovativ"}
LAND_EN = {"Sachsen": "Saxony", "Sachsen-Anhalt": "Saxony-Anhalt", "Thüringen": "Thuringia"}
KIND_BUTTONS = (("Zuschüsse", "Zuschuss"), ("Stipendien", "Stipendium"), ("Kredite", "Kredit"),
                ("Beteiligungskapital", "Beteiligung"))
KIND_BUTTONS_EN = {"Zuschuss": "Grants", "Stipendium": "Stipends", "Kredit": "Loans", "Beteiligung": "Equity"}


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


def _leaving(tracker: Tracker) -> bool:
    """Cancel/restart – or another question that is no answer: the finder takes nothing, the rules answer."""
    if leaves_form(tracker):
        return True
    return interrupted(tracker, "funding_form") and not any(match_words(_latest_text(tracker), s) for s in SLOTS)


def _latest_text(tracker: Tracker) -> str:
    return ((tracker.latest_message or {}).get("text") or "")[:500]


def _is_button(tracker: Tracker) -> bool:
    return _latest_text(tracker).startswith("/")


def _entity(tracker: Tracker, name: str) -> Optional[str]:
    value = next(tracker.get_latest_entity_values(name), None)
    return str(value) if value is not None else None


def search_filters(tracker: Tracker) -> Dict[Text, Any]:
    """The filters a new search starts with (form activation).

    Typed question: what it says; the Land also from a town in it or from earlier in the conversation.
    Refinement button ``/find_funding{"land": …}`` / ``{"foerder_art": …}``: the last search's
    filters (slot ``foerder_suche``) with the button's value.
    """
    if _is_button(tracker):
        last = tracker.get_slot("foerder_suche") or {}
        filters = {slot: last.get(slot) for slot in FILTERS if isinstance(last, dict)}
        kind = _entity(tracker, "foerder_art")
        if kind in KINDS:
            filters["foerder_art"] = kind
        land = _entity(tracker, "land")
        if land in LAND_EN:
            filters["foerder_land"] = land
        filters.setdefault("foerder_land", None)
        if filters["foerder_land"] is None and tracker.get_slot("land") in LAND_EN:
            filters["foerder_land"] = tracker.get_slot("land")
        return filters
    text = _latest_text(tracker)
    filters = {slot: match_words(text, slot) for slot in FILTERS}
    if filters["foerder_phase"] == "gruendung":
        filters["foerder_phase"] = None  # "Gründung" is in almost every question – only an answer counts
    if filters["foerder_land"] is None:
        filters["foerder_land"] = land_of_place(text) or tracker.get_slot("land")
    return filters


def answers_at_once(filters: Dict[Text, Any]) -> bool:
    """A Land, a kind or a situation is enough to show programmes without asking."""
    return any(filters.get(slot) not in (None, UNCLEAR) for slot in ("foerder_land", "foerder_art", "foerder_ziel"))


class ValidateFundingForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_funding_form"

    def domain_slots(self, domain: DomainDict) -> List[Text]:
        """Fixed list, so Rasa need not send the whole domain with every call (selective domain)."""
        return list(FILTERS)

    @staticmethod
    def _starting(tracker: Tracker) -> bool:
        return tracker.get_slot("requested_slot") is None

    def _extract(self, slot: str, tracker: Tracker) -> Dict[Text, Any]:
        if _leaving(tracker):
            return {}
        if self._starting(tracker):
            return {slot: search_filters(tracker).get(slot)}
        if tracker.get_slot(slot) is not None or slot == "foerder_ziel":
            return {}
        text = _latest_text(tracker)
        value = match_words(text, slot)
        if tracker.get_slot("requested_slot") == slot:  # the answer to our question
            if slot == "foerder_land" and value is None:
                value = land_of_place(text)  # a town, also misspelt: "Magdebrug" → Sachsen-Anhalt
            if value is None and (SKIP.search(fold(text)) or tracker.get_slot("foerder_unklar") == slot):
                value = ANY  # skipped – or not understood twice: don't trap the founder in a loop
            return {slot: value or UNCLEAR}
        if slot == "foerder_phase" and value == "gruendung":
            return {}
        return {slot: value} if value else {}  # said in passing

    async def next_requested_slot(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Optional[EventType]:
        """Programmes at once when the question already said enough; else the first open question."""
        if self._starting(tracker) and answers_at_once({s: tracker.get_slot(s) for s in FILTERS}):
            return SlotSet(REQUESTED_SLOT, None)
        return SlotSet(REQUESTED_SLOT, next((s for s in SLOTS if tracker.get_slot(s) is None), None))

    @staticmethod
    def _validate(slot: str, value: Any) -> Dict[Text, Any]:
        if value == UNCLEAR:
            return {slot: None, "foerder_unklar": slot}  # asked again, with a hint (utter_ask_* variant)
        return {slot: value, "foerder_unklar": None}

    async def extract_foerder_land(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> Dict[Text, Any]:
        return self._extract("foerder_land", tracker)

    async def extract_foerder_phase(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> Dict[Text, Any]:
        return self._extract("foerder_phase", tracker)

    async def extract_foerder_art(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> Dict[Text, Any]:
        return self._extract("foerder_art", tracker)

    async def extract_foerder_ziel(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> Dict[Text, Any]:
        return self._extract("foerder_ziel", tracker)

    async def validate_foerder_land(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> Dict[Text, Any]:
        return self._validate("foerder_land", value)

    async def validate_foerder_phase(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> Dict[Text, Any]:
        return self._validate("foerder_phase", value)

    async def validate_foerder_art(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> Dict[Text, Any]:
        return self._validate("foerder_art", value)


def _programme_line(p: ProgrammeResult) -> str:
    """Name, kind, area, amount – short enough for a phone; details behind the link."""
    area = "bundesweit" if p.area == "Bund" else p.area
    amount = p.amount if p.amount and len(p.amount) <= 90 else (p.amount or "")[:90].rsplit(" ", 1)[0] + " …"
    return f"• {p.name} ({p.kind}, {area})" + (f": {amount}" if p.amount else "") + f"\n  {p.link}"


def refine_buttons(land: Any, kind: Any, english: bool) -> List[Dict[str, str]]:
    """Narrow the search without typing: the Land if unknown, else the kind; always an adviser."""
    if land in (None, ANY):
        buttons = [{"title": LAND_EN[name] if english else name,
                    "payload": f'/find_funding{{"land": "{name}"}}'} for name in LAND_EN]
    elif kind in (None, ANY):
        buttons = [{"title": KIND_BUTTONS_EN[value] if english else title,
                    "payload": f'/find_funding{{"foerder_art": "{value}"}}'} for title, value in KIND_BUTTONS]
    else:
        buttons = []
    return buttons + [ADVICE_EN if english else ADVICE]


def named_in_question(tracker: Tracker) -> Optional[Dict[Text, Any]]:
    """The filters a typed question names itself (Land or town, kind, situation) – else ``None``.

    Used where the NLU chose the funding overview but the question is specific
    ("Zuschüsse in Thüringen?"): the founder gets the matching programmes at once.
    """
    if _is_button(tracker):
        return None
    text = _latest_text(tracker)
    filters = {slot: match_words(text, slot) for slot in FILTERS}
    if filters["foerder_phase"] == "gruendung":
        filters["foerder_phase"] = None
    if filters["foerder_land"] is None:
        filters["foerder_land"] = land_of_place(text)
    growing = filters["foerder_phase"] == "wachstum"  # "schon 2 Jahre selbständig, will wachsen"
    return filters if answers_at_once(filters) or growing else None


def _summary(land: Any, phase: Any, kind: Any, target: Any, english: bool) -> str:
    if english:
        chosen = [LAND_EN.get(str(land)) if land != ANY else None, KIND_BUTTONS_EN.get(str(kind))]
    else:
        chosen = [land if land != ANY else None, PHASE_LABELS.get(str(phase)) if phase != ANY else None,
                  kind if kind != ANY else None, TARGET_LABELS.get(str(target))]
    chosen = [value for value in chosen if value]
    return f" ({', '.join(chosen)})" if chosen else ""


def finished_search(land: Any, phase: Any, kind: Any, target: Any) -> List[EventType]:
    """The next search starts empty; this one's filters stay available for the refinement buttons."""
    last = {"foerder_land": land, "foerder_phase": phase, "foerder_art": kind, "foerder_ziel": target}
    return [SlotSet(s, None) for s in (*FILTERS, "foerder_unklar")] + [SlotSet("foerder_suche", last)]


def show_programmes(dispatcher: CollectingDispatcher, land: Any, phase: Any, kind: Any, target: Any,
                    english: bool) -> List[EventType]:
    """Up to four matching programmes with source Stand and refinement buttons; the events that end the search."""
    try:
        found = find_programmes(load_settings().directory_db, land, phase, kind, target, limit=4)
    except DirectoryError as error:
        logger.error("programme table unavailable: %s", error)
        dispatcher.utter_message(text=messages.TECHNICAL_PROBLEM)
        return finished_search(land, phase, kind, target)
    summary = _summary(land, phase, kind, target, english)
    buttons = refine_buttons(land, kind, english)
    if not found:
        text = (f"I find no programme{summary} in my list. The federal funding database "
                f"(https://www.foerderdatenbank.de) and your Land's funding bank can help."
                if english else
                f"Dazu{summary} finde ich kein Programm in meiner Liste. Die Förderdatenbank des Bundes "
                f"(https://www.foerderdatenbank.de) und die Förderbank Ihres Landes helfen weiter.")
        dispatcher.utter_message(text=text, buttons=buttons)
        return finished_search(land, phase, kind, target)
    lines = "\n".join(_programme_line(p) for p in found)
    stand = oldest_stand((p.verified for p in found), english=english)
    if english:
        text = (f"Matching programmes{summary} (details in German):\n{lines}\nAmounts as stated by the "
                f"source; check the conditions before applying. {stand}")
    else:
        text = (f"Passende Programme{summary}:\n{lines}\nBeträge laut Quelle; Bedingungen vor dem Antrag "
                f"prüfen. {stand}")
    if land in (None, ANY) and buttons:
        text += ("\nWhich Land are you founding in? Then I narrow the list." if english
                 else "\nIn welchem Land gründen Sie? Dann grenze ich die Liste ein.")
    dispatcher.utter_message(text=text, buttons=buttons)
    return finished_search(land, phase, kind, target)


class ActionFundingResults(Action):
    def name(self) -> Text:
        return "action_funding_results"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        land, phase, kind, target = (tracker.get_slot(s) for s in FILTERS)
        if target is None and tracker.get_slot("hochschule"):
            target = "hochschule"
        return show_programmes(dispatcher, land, phase, kind, target, in_english(tracker))

