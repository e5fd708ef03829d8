"""``action_general_contact``: where a founder finds a human when no place is known yet."""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot import messages
from bot.directory.general import DirectoryError, load_general_contacts
from bot.render import contact_lines, list_stand

logger = logging.getLogger(__name__)

INTRO = (
    "Persönlich beraten Sie die Wirtschaftsförderung Ihrer Stadt oder Ihres Landkreises "
    "sowie Ihre IHK oder Handwerkskammer. Allgemeine Anlaufstellen:"
)


class ActionGeneralContact(Action):
    def name(self) -> Text:
        return "action_general_contact"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        try:
            contacts = load_general_contacts()
        except DirectoryError as error:
            logger.error("general contacts unavailable: %s", error)
            dispatcher.utter_message(text=messages.TECHNICAL_PROBLEM)
            return []
        dispatcher.utter_message(
            text=f"{INTRO}\n{contact_lines(contacts)}\n{list_stand(contacts)}"
        )
        return []
