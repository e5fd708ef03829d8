"""Contact routing: the contact form asks for the place, then ``action_find_contact`` answers.

- found → 1–3 contacts, each with why it is responsible, details only where sourced, Stand;
- outside the three Länder → says so, names nationwide contacts;
- unknown → asks once more, then Land-level contacts;
- ambiguous → asks which one (buttons).
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.place_slots import in_english, interrupted, leaves_form, lookup, place_slots
from bot import messages
from bot.config import load_settings
from bot.directory.contacts import TOPIC_LABELS, ContactResult, find_contacts, land_contacts, nationwide
from bot.directory.places import PlaceMatch
from bot.directory.places import resolve as resolve_place
from bot.directory.yaml_source import DirectoryError
from bot.render import contact_block, oldest_stand

logger = logging.getLogger(__name__)
LAENDER = ("Sachsen", "Sachsen-Anhalt", "Thüringen")
PORTAL_KINDS = ("Landesportal", "Einheitlicher Ansprechpartner")
ASK_PLACE = ("In welchem Ort oder Landkreis gründen Sie? (z. B. „Borna“, „Landkreis Harz“ "
             "oder „Jena“)")
ASK_PLACE_EN = "In which town or district are you founding? (e.g. „Leipzig“, „Landkreis Harz“ or „Jena“)"
TOPIC_LABELS_EN = {
    "gruendungsberatung": "Start-up advice", "foerderung": "Funding and finance",
    "gewerbe": "Business registration and permits", "hochschule": "Founding from university",
    "kammer": "Chamber (IHK/HWK)", "vergabe": "Public procurement", "flaechen": "Premises and commercial space",
}


def place_from_text(tracker: Tracker, form: str) -> Optional[Text]:
    """The place the user just typed while the form asked for it – unless the message is no place
    and asks for something else (a question, "abbrechen", an old 👍/👎 button)."""
    if tracker.get_slot("requested_slot") != "ort":
        return None
    text = ((tracker.latest_message or {}).get("text") or "").strip()[:200]
    if not text or text.startswith("/") and not text.startswith("/inform"):
        return None  # a button payload of another question is never a place
    if interrupted(tracker, form):
        match = lookup(text)
        if match is None or match.status not in ("found", "outside") or leaves_form(tracker):
            return None
    return text


def validate_place_answer(value: Any, tracker: Tracker, dispatcher: CollectingDispatcher) -> Dict[Text, Any]:
    """Shared by the contact and callback forms: accept a found/outside place, ask back otherwise."""
    match = lookup(value)
    if match is None:  # directory down: don't loop, let the action say so
        return {"ort": str(value), "ort_status": "unavailable"}
    if match.status in ("found", "outside"):
        return {**place_slots(match), "ort_versuche": 0.0}
    if match.status == "ambiguous":
        return {"ort": None, **place_slots(match)}
    tries = float(tracker.get_slot("ort_versuche") or 0) + 1
    if tries >= 2:  # asked again once: give up gracefully with Land-level contacts
        return {"ort": str(value), "ort_status": "unknown", "ort_versuche": 0.0}
    return {"ort": None, "ort_status": "unknown", "ort_versuche": tries, "ort_kandidaten": None}


class ValidateContactForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_contact_form"

    def domain_slots(self, domain: DomainDict) -> List[Text]:
        """Fixed list, so Rasa need not send the whole domain with every call (selective domain)."""
        return ["ort"]

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        return [] if tracker.get_slot("hochschule") and tracker.get_slot("ort") else domain_slots

    async def extract_ort(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: DomainDict) -> Dict[Text, Any]:
        if "ort" in _slots_set_this_turn(tracker):
            return {}
        text = place_from_text(tracker, "contact_form")
        if text:
            return {"ort": text}
        if tracker.get_slot("requested_slot") is None:  # the question itself, e.g. "Magdebrug Förderung":
            question = (tracker.latest_message or {}).get("text") or ""  # typos escape the entity ruler
            match = lookup(question)
            if match is not None and match.status in ("found", "outside", "ambiguous"):
                return {"ort": question[:200]}
        return {}

    async def validate_ort(self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> Dict[Text, Any]:
        return validate_place_answer(slot_value, tracker, dispatcher)


def _slots_set_this_turn(tracker: Tracker) -> set:
    names = set()
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            break
        if event.get("event") == "slot":
            names.add(event.get("name"))
    return names


class ActionAskOrt(Action):
    """Asks for the place – or, after a miss, says what went wrong (one message, not two)."""

    def name(self) -> Text:
        return "action_ask_ort"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        status = tracker.get_slot("ort_status")
        candidates = tracker.get_slot("ort_kandidaten") or []
        if status == "ambiguous" and candidates:
            dispatcher.utter_message(
                text="Welchen Ort meinen Sie?",
                buttons=[{"title": name, "payload": f'/inform{{"ort": "{name}"}}'} for name in candidates])
        elif status == "unknown":
            dispatcher.utter_message(
                text="Diesen Ort kenne ich leider nicht. Nennen Sie bitte eine Stadt, Gemeinde oder einen "
                     "Landkreis in Sachsen, Sachsen-Anhalt oder Thüringen (z. B. „Landkreis Leipzig“).")
        elif in_english(tracker):
            dispatcher.utter_message(text=ASK_PLACE_EN)
        else:
            dispatcher.utter_message(text=ASK_PLACE)
        return []


def _render(results: List[ContactResult], english: bool = False) -> str:
    blocks = [contact_block(r.name, r.why, r.website, r.phone, r.email, r.address, r.hours) for r in results]
    return "\n".join(blocks) + "\n" + oldest_stand((r.verified for r in results), english=english)


def topic_of(tracker: Tracker) -> str:
    topic = tracker.get_slot("thema")
    if topic in TOPIC_LABELS:
        return str(topic)
    return "hochschule" if tracker.get_slot("hochschule") else "gruendungsberatung"


class ActionFindContact(Action):
    def name(self) -> Text:
        return "action_find_contact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        db = load_settings().directory_db
        topic = topic_of(tracker)
        ort = tracker.get_slot("ort")
        reset = [SlotSet("ort_versuche", 0.0), SlotSet("ort_kandidaten", None), SlotSet("ort_status", None)]
        try:
            match = self._match(db, tracker, ort)
            if match is not None and match.status == "outside":
                contacts = nationwide(db)
                dispatcher.utter_message(
                    text=f"{match.outside_name} liegt außerhalb meiner Region – ich kenne die Ansprechpartner in "
                         f"Sachsen, Sachsen-Anhalt und Thüringen. Bundesweit helfen Ihnen:\n{_render(contacts)}\n"
                         f"Vor Ort: die Wirtschaftsförderung Ihrer Stadt und Ihre IHK oder Handwerkskammer.")
                return reset
            if match is None or match.region is None:
                return reset + self._land_level(dispatcher, db, tracker, topic, ort)
            contacts = find_contacts(db, topic, match.region, match.institution)
            if not contacts:
                return reset + self._land_level(dispatcher, db, tracker, topic, ort)
            where = f"an der {match.institution.name}" if match.institution else f"in {match.region.label}"
            if in_english(tracker):
                where = f"at {match.institution.name}" if match.institution else f"in {match.region.label}"
                text = f"{TOPIC_LABELS_EN[topic]} {where} – your contacts:\n{_render(contacts, english=True)}"
                if match.region.kind == "land":
                    text += "\nFor your local business development office, tell me your town or district."
            else:
                text = f"{TOPIC_LABELS[topic]} {where} – Ihre Ansprechpartner:\n{_render(contacts)}"
                if match.region.kind == "land":
                    text += "\nFür die Wirtschaftsförderung vor Ort nennen Sie mir Ihre Stadt oder Ihren Landkreis."
            dispatcher.utter_message(text=text, buttons=_follow_up_buttons(topic))
            region = match.region
            return reset + [SlotSet("ort", region.name), SlotSet("kreis", region.kreis), SlotSet("land", region.land)]
        except DirectoryError as error:
            logger.error("contact directory unavailable: %s", error)
            dispatcher.utter_message(text=messages.TECHNICAL_PROBLEM)
        return reset

    @staticmethod
    def _match(db: Any, tracker: Tracker, ort: Optional[str]) -> Optional[PlaceMatch]:
        """The university if one was named, else the place – resolved again, so a place remembered
        from an earlier question (set by the NLU, not yet checked) works as well."""
        university = tracker.get_slot("hochschule")
        if university:
            match = resolve_place(str(university), db)
            if match.institution is not None:
                return match
        if not ort or tracker.get_slot("ort_status") in ("unknown", "unavailable"):
            return None
        match = resolve_place(str(ort), db)
        return match if match.status in ("found", "outside") else None

    @staticmethod
    def _land_level(dispatcher: CollectingDispatcher, db: Any, tracker: Tracker, topic: str,
                    ort: Optional[str]) -> List[EventType]:
        land = tracker.get_slot("land")
        laender = [land] if land in LAENDER else list(LAENDER)
        results: List[ContactResult] = []
        for name in laender:  # the Land portal finds the local office; plus the topic's Land contacts
            portal = sorted((c for c in land_contacts(db, name, "gewerbe") if c.kind in PORTAL_KINDS),
                            key=lambda c: PORTAL_KINDS.index(c.kind))[:1]
            topical = [c for c in land_contacts(db, name, topic) if c not in portal]
            results.extend(portal if len(laender) > 1 else (portal + topical)[:3])
        intro = (f"Zu „{ort}“ finde ich keinen Eintrag. " if ort else "") + \
            "Auf Landesebene helfen Ihnen weiter:"
        dispatcher.utter_message(
            text=f"{intro}\n{_render(results)}\nDie Landesportale nennen auch die zuständige Stelle vor Ort.")
        return [SlotSet("ort", None), SlotSet("ort_status", None)]


def _follow_up_buttons(topic: str) -> List[Dict[str, str]]:
    buttons = [{"title": "Rückruf anfordern", "payload": "/request_callback"}]
    if topic != "foerderung":
        buttons.insert(0, {"title": "Passende Förderung finden", "payload": "/find_funding"})
    return buttons
