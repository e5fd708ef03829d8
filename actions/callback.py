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
from actions.place_slots import interrupted, latest_intent, leaves_form
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
NAME = re.compile(r"^[^\W\d_]+(\.? ?[ '\-][^\W\d_]+|\. ?[^\W\d_]+)*\.?$")
YES = re.compile(r"^(ja|jo|jap|yes|ok|okay|einverstanden|gerne?|klar|ja,? ?(bitte|gerne?|einverstanden))\b", re.I)
CANCEL_WORDS = frozenset({"abbrechen", "abbruch", "stop", "stopp", "cancel", "beenden", "ende", "nein"})
# Words of a sentence, never of a name: "Ich möchte keinen Rückruf mehr" is no name.
SENTENCE_WORDS = frozenset("""ich du sie wir mich mir mein meine möchte moechte will würde wuerde kann muss
    nicht kein keine keinen mehr bitte danke wie was wo wer warum wann welche welcher habe hätte haette ist sind
    gibt rückruf rueckruf anruf nummer telefon mail frage doch lieber egal""".split())
# Answers to other questions of the bot (buttons), never a name.
BUTTON_WORDS = frozenset({"sachsen", "sachsen-anhalt", "thüringen", "thueringen", "überspringen", "ueberspringen",
                          "zuschuss", "stipendium", "kredit", "beteiligung", "wachstum", "gründung", "gruendung",
                          "förderung", "foerderung", "gründungsberatung", "gewerbeanmeldung", "ja", "nein"})
# Words that may accompany a cancel word in a pure cancel request ("ich will abbrechen", "bitte stopp").
CANCEL_FILLERS = frozenset({"ich", "will", "möchte", "moechte", "bitte", "jetzt", "doch", "lieber", "das", "hier",
                            "alles", "sofort", "danke", "mal", "nicht", "mehr", "weiter", "vorgang", "anfrage"})
FREE_TEXT_SLOTS = ("rueckruf_name", "rueckruf_kontakt", "rueckruf_thema")
NO = re.compile(r"^(nein|ne|nö|no|lieber nicht|nicht einverstanden)\b", re.I)


def is_cancel_request(text: str) -> bool:
    """Only cancel words and fillers ("Stopp", "ich will abbrechen") – not "Jana Stopp"."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    return any(w in CANCEL_WORDS for w in words) and all(w in CANCEL_WORDS or w in CANCEL_FILLERS for w in words)


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
    """A person's name (1–6 words, letters only) – not a sentence, not a cancel word, not a button."""
    name = " ".join(text.strip().split())
    for prefix in ("ich heiße ", "ich heisse ", "mein name ist ", "ich bin "):
        if name.lower().startswith(prefix):
            name = name[len(prefix):]
    words = name.lower().strip(".!").split()
    if not words or " ".join(words) in CANCEL_WORDS or " ".join(words) in BUTTON_WORDS:
        return None
    if len(words) > 6 or any(word.strip(".,!") in SENTENCE_WORDS for word in words):
        return None
    return name if 2 <= len(name) <= 80 and NAME.match(name) else None


def _valid_answer(slot: str, text: str) -> bool:
    if slot == "rueckruf_name":
        return valid_name(text) is not None
    if slot == "rueckruf_kontakt":
        return valid_contact(text) is not None
    return "?" not in text and len(text.split()) <= 6


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
        """The text typed in answer to ``slot`` – None when it is a button of another question
        ("/feedback…") or leaves the form ("abbrechen", "nein" – except as the answer to the consent).
        The NLU reads "Jana Stopp" as cancel: in a free-text answer a valid answer wins, only a pure
        cancel request ("Stopp", "ich will abbrechen") counts."""
        if tracker.get_slot("requested_slot") != slot:
            return None
        text = ((tracker.latest_message or {}).get("text") or "").strip()[:300]
        if not text or text.startswith("/"):
            return None
        intent = latest_intent(tracker)
        if intent == "deny" and slot == "rueckruf_einwilligung":
            return text  # "nein" answers the consent question
        if leaves_form(tracker):
            if intent == "cancel" and slot in FREE_TEXT_SLOTS and not is_cancel_request(text) \
                    and _valid_answer(slot, text):
                return text
            return None  # the cancel/restart rule answers
        return text

    @staticmethod
    def _asks_something_else(tracker: Tracker) -> bool:
        return interrupted(tracker, "callback_form")

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
        if self._asks_something_else(tracker):
            return {}  # a question instead of an answer: the rules answer it and ask again
        dispatcher.utter_message(text="Bitte antworten Sie mit „Ja“ oder „Nein“.")
        return {"rueckruf_einwilligung": None}

    async def extract_rueckruf_name(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: DomainDict) -> Dict[Text, Any]:
        text = self._answer(tracker, "rueckruf_name")
        if text is None or (valid_name(text) is None and self._asks_something_else(tracker)):
            return {}
        return {"rueckruf_name": text}

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
        if text is None or (valid_contact(text) is None and self._asks_something_else(tracker)):
            return {}
        return {"rueckruf_kontakt": text}

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
        if text is None or ("?" in text and self._asks_something_else(tracker)):
            return {}  # a keyword ("Förderung") is the topic; a question is answered first
        return {"rueckruf_thema": " ".join(text.split())[:200]}

    async def extract_ort(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                          domain: DomainDict) -> Dict[Text, Any]:
        text = place_from_text(tracker, "callback_form")
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
    """"abbrechen", "nein", "tschüss" in any form: stop, forget what the form collected, say that
    nothing was stored (or say goodbye)."""

    def name(self) -> Text:
        return "action_cancel_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        goodbye = latest_intent(tracker) == "goodbye"
        dispatcher.utter_message(response="utter_goodbye" if goodbye else "utter_cancelled")
        slots = [*PERSONAL, "foerder_land", "foerder_phase", "foerder_art", "foerder_ziel", "foerder_unklar",
                 "ort_versuche"]
        return [ActiveLoop(None), SlotSet("requested_slot", None)] + [SlotSet(s, None) for s in slots]
