"""Callback request: explicit consent first, then name, phone or e-mail, topic, place – stored for staff.

Nothing is stored before the last answer, and only with consent; "abbrechen" ends it at any step
(rule in data/rules.yml → ``action_cancel_form``). The personal slots are cleared after storing.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.find_contact import place_from_text, validate_place_answer
from actions.place_slots import LEAVE_FORM, latest_intent
from bot import messages
from bot.config import load_settings
from bot.directory.callbacks import store
from bot.directory.contacts import find_contacts
from bot.directory.places import region_by_name
from bot.directory.yaml_source import DirectoryError

logger = logging.getLogger(__name__)
PERSONAL = ("rueckruf_einwilligung", "rueckruf_name", "rueckruf_kontakt", "rueckruf_thema")
CONSENT_TEXT = (
    "Einwilligung v1: Name, Telefonnummer oder E-Mail, Thema und Ort werden gespeichert, damit die "
    "Wirtschaftsförderung zurückrufen kann; Löschung nach Erledigung, spätestens nach der Aufbewahrungsfrist."
)
EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$")
PHONE_CHARS = re.compile(r"^\+?[\d\s/()\-]{6,25}$")
NAME = re.compile(r"^[^\W\d_]+([ '\-.][^\W\d_]+)*\.?$")
YES = re.compile(r"^(ja|jo|jap|yes|ok|okay|einverstanden|gerne?|klar|ja,? ?(bitte|gerne?|einverstanden))\b", re.I)
CANCEL_WORDS = frozenset({"abbrechen", "abbruch", "stop", "stopp", "cancel", "beenden", "ende", "nein"})
NO = re.compile(r"^(nein|ne|nö|no|lieber nicht|nicht einverstanden)\b", re.I)


def valid_contact(text: str) -> Optional[str]:
    """A plausible e-mail address or phone number (6–15 digits), normalised; else None."""
    text = text.strip()
    if EMAIL.match(text):
        return text.lower()
    if PHONE_CHARS.match(text):
        digits = re.sub(r"\D", "", text)
        if 6 <= len(digits) <= 15:
            return re.sub(r"\s+", " ", text)
    return None


def valid_name(text: str) -> Optional[str]:
    name = " ".join(text.strip().split())
    for prefix in ("ich heiße ", "ich heisse ", "mein name ist ", "ich bin "):
        if name.lower().startswith(prefix):
            name = name[len(prefix):]
    if name.lower().strip(".!") in CANCEL_WORDS:
        return None
    return name if 2 <= len(name) <= 80 and NAME.match(name) else None


class ValidateCallbackForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_callback_form"

    def domain_slots(self, domain: DomainDict) -> List[Text]:
        """Fixed list, so Rasa need not send the whole domain with every call (selective domain)."""
        return [*PERSONAL, "ort"]

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        if tracker.get_slot("rueckruf_einwilligung") is False:
            return ["rueckruf_einwilligung"]  # declined: the form ends, the submit action stores nothing
        return domain_slots

    def _answer(self, tracker: Tracker, slot: str) -> Optional[str]:
        if tracker.get_slot("requested_slot") != slot or latest_intent(tracker) in LEAVE_FORM:
            return None  # the form takes nothing; the cancel/restart rule answers
        return ((tracker.latest_message or {}).get("text") or "").strip()[:300] or None

    async def extract_rueckruf_einwilligung(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                            domain: DomainDict) -> Dict[Text, Any]:
        text = self._answer(tracker, "rueckruf_einwilligung")
        if text is None:
            return {}
        intent = latest_intent(tracker)
        if YES.match(text) or intent == "affirm":
            return {"rueckruf_einwilligung": True}
        if NO.match(text) or intent == "deny":
            return {"rueckruf_einwilligung": False}
        dispatcher.utter_message(text="Bitte antworten Sie mit „Ja“ oder „Nein“.")
        return {"rueckruf_einwilligung": None}

    async def extract_rueckruf_name(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> Dict[Text, Any]:
        text = self._answer(tracker, "rueckruf_name")
        return {"rueckruf_name": text} if text else {}

    async def validate_rueckruf_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> Dict[Text, Any]:
        name = valid_name(str(value))
        if name is None:
            dispatcher.utter_message(text="Das sieht nicht wie ein Name aus. Bitte nur Vor- und Nachname, "
                                          "z. B. „Anna Schmidt“.")
        return {"rueckruf_name": name}

    async def extract_rueckruf_kontakt(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                       domain: DomainDict) -> Dict[Text, Any]:
        text = self._answer(tracker, "rueckruf_kontakt")
        return {"rueckruf_kontakt": text} if text else {}

    async def validate_rueckruf_kontakt(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                        domain: DomainDict) -> Dict[Text, Any]:
        contact = valid_contact(str(value))
        if contact is None:
            dispatcher.utter_message(text="Bitte geben Sie eine Telefonnummer (z. B. 0341 123456) oder eine "
                                          "E-Mail-Adresse (z. B. anna@example.de) an.")
        return {"rueckruf_kontakt": contact}

    async def extract_rueckruf_thema(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                     domain: DomainDict) -> Dict[Text, Any]:
        text = self._answer(tracker, "rueckruf_thema")
        return {"rueckruf_thema": " ".join(text.split())[:200]} if text else {}

    async def extract_ort(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: DomainDict) -> Dict[Text, Any]:
        text = place_from_text(tracker)
        return {"ort": text} if text and tracker.get_slot("ort") is None else {}

    async def validate_ort(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                           domain: DomainDict) -> Dict[Text, Any]:
        return validate_place_answer(value, tracker, dispatcher)


class ActionSubmitCallback(Action):
    def name(self) -> Text:
        return "action_submit_callback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        clear = [SlotSet(slot, None) for slot in PERSONAL]
        if tracker.get_slot("rueckruf_einwilligung") is not True:
            dispatcher.utter_message(response="utter_callback_declined")
            return clear
        settings = load_settings()
        place = str(tracker.get_slot("ort") or "")
        responsible = self._responsible(settings.directory_db, place, tracker.get_slot("ort_status"))
        try:
            number = store(settings.callback_db, consent_text=CONSENT_TEXT,
                           name=str(tracker.get_slot("rueckruf_name")),
                           contact=str(tracker.get_slot("rueckruf_kontakt")),
                           topic=str(tracker.get_slot("rueckruf_thema")), place=place,
                           responsible=responsible, retention_days=settings.callback_retention_days)
        except Exception:  # noqa: BLE001 – storage failure must reach the founder, not vanish
            logger.exception("callback request could not be stored")
            dispatcher.utter_message(text="Ihre Anfrage konnte ich leider nicht speichern – es wurde nichts "
                                          "gespeichert. " + messages.GENERAL_HELP)
            return clear
        local = f" Zuständig vor Ort: {responsible}." if responsible else ""
        dispatcher.utter_message(
            text=f"Danke! Ihre Rückrufbitte (Nr. R-{number}) ist gespeichert:\n"
                 f"Name: {tracker.get_slot('rueckruf_name')}\nKontakt: {tracker.get_slot('rueckruf_kontakt')}\n"
                 f"Thema: {tracker.get_slot('rueckruf_thema')}\nOrt: {place}\n"
                 f"Es meldet sich {settings.operator_name}.{local} Ihre Daten werden nach Erledigung gelöscht, "
                 f"spätestens nach {settings.callback_retention_days} Tagen.")
        return clear

    @staticmethod
    def _responsible(db: Any, place: str, status: Any) -> Optional[str]:
        if status != "found" or not place:
            return None
        try:
            region = region_by_name(place, db)
            contacts = find_contacts(db, "gruendungsberatung", region) if region else []
        except DirectoryError:
            return None
        return contacts[0].name if contacts else None


class ActionCancelForm(Action):
    """"abbrechen" in any form: stop, forget what the form collected, say that nothing was stored."""

    def name(self) -> Text:
        return "action_cancel_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_cancelled")
        slots = [*PERSONAL, "foerder_land", "foerder_phase", "foerder_art", "foerder_unklar", "ort_versuche"]
        return [ActiveLoop(None), SlotSet("requested_slot", None)] + [SlotSet(s, None) for s in slots]
