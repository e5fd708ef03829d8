"""Privacy questions, "I want a human", and side questions asked while a form waits.

A founder may ask anything at any step of a form; the form then takes nothing (actions/find_contact.py
``interrupted``), the rules in data/rules.yml run ``action_answer_side_request`` and offer the form's
question again. Nothing here stores data.
"""

from __future__ import annotations

import logging
from typing import Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.feedback import ActionRecordFeedback
from actions.place_slots import in_english, latest_intent, lookup
from bot import messages
from bot.config import load_settings
from bot.directory.contacts import find_contacts
from bot.directory.yaml_source import DirectoryError
from bot.retention import retention_days
from bot.staff.inbox_store import retention_days as inbox_retention_days

logger = logging.getLogger(__name__)

CALLBACK_BUTTON = {"title": "Rückruf anfordern", "payload": "/request_callback"}
CONTACT_BUTTON = {"title": "Ansprechpartner vor Ort", "payload": "/contact_human"}
CALLBACK_BUTTON_EN = {"title": "Request a callback", "payload": "/request_callback"}
CONTACT_BUTTON_EN = {"title": "Local contact", "payload": "/contact_human"}
# Side requests answered by a plain response while a form waits (the form then asks again).
RESPONSES: Dict[str, str] = {
    "help": "utter_help",
    "greet": "utter_greet",
    "thanks": "utter_thanks",
    "bot_challenge": "utter_iamabot",
    "out_of_scope": "utter_out_of_scope",
    "other_language": "utter_other_language",
}


def privacy(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    settings = load_settings()
    english = in_english(tracker)
    dispatcher.utter_message(
        text=messages.privacy_answer(retention_days(), settings.callback_retention_days,
                                     inbox_retention_days(), english=english),
        buttons=[CALLBACK_BUTTON_EN if english else CALLBACK_BUTTON])


def human_handover(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """A person, not a bot: the local Wirtschaftsförderung if the place is known, always a callback."""
    english = in_english(tracker)
    local = ""
    match = lookup(tracker.get_slot("ort"))
    if match is not None and match.status == "found" and match.region is not None:
        try:
            contacts = find_contacts(load_settings().directory_db, "gruendungsberatung", match.region)
        except DirectoryError as error:
            logger.error("contact directory unavailable: %s", error)
            contacts = []
        if contacts:
            first = contacts[0]
            local = (f"\nNear you: {first.name}, {first.website}" if english
                     else f"\nFür {match.region.label}: {first.name}, {first.website}")
    if english:
        text = ("I am a chatbot. To talk to a person: request a callback (a staff member of the "
                "Wirtschaftsförderung contacts you), or contact your local business development office "
                "directly. General questions to the administration: phone 115 (Mon–Fri 8 am–6 pm)." + local)
        buttons = [CALLBACK_BUTTON_EN] + ([] if local else [CONTACT_BUTTON_EN])
    else:
        text = ("Gern verbinde ich Sie mit einem Menschen: Bitten Sie um einen Rückruf – dann meldet sich "
                "jemand von der Wirtschaftsförderung – oder wenden Sie sich direkt an die Stelle vor Ort. "
                "Allgemeine Fragen an die Verwaltung: Behördennummer 115 (Mo–Fr 8–18 Uhr)." + local)
        buttons = [CALLBACK_BUTTON] + ([] if local else [CONTACT_BUTTON])
    dispatcher.utter_message(text=text, buttons=buttons)


class ActionPrivacy(Action):
    def name(self) -> Text:
        return "action_privacy"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        privacy(dispatcher, tracker)
        return []


class ActionHumanHandover(Action):
    def name(self) -> Text:
        return "action_human_handover"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        human_handover(dispatcher, tracker)
        return []


class ActionAnswerSideRequest(Action):
    """Answers what was asked in the middle of a form; the rule then lets the form ask again."""

    def name(self) -> Text:
        return "action_answer_side_request"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        intent = latest_intent(tracker) or ""
        if intent == "ask_privacy":
            privacy(dispatcher, tracker)
        elif intent == "human_handover":
            human_handover(dispatcher, tracker)
        elif intent == "feedback":  # a 👍/👎 from an earlier answer: count it, never a form value
            return await ActionRecordFeedback().run(dispatcher, tracker, domain)
        else:
            dispatcher.utter_message(response=RESPONSES.get(intent, "utter_help"))
        return []
