"""FAQ answers: the topic the NLU chose, for the founder's Land, in the founder's language,
plus the town's own office for procedures such as the Gewerbeanmeldung.

The answer texts stay domain responses (``utter_faq/<topic>``, variants per Land chosen by Rasa
from the slot ``land``); this action only decides *which* responses to send and adds the local
line from the contact directory. English: topics in ``ENGLISH_ANSWERS`` have an English response;
for all others the founder gets a short English pointer and the German answer.
"""

from __future__ import annotations

import logging
from typing import Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.feedback import closest_topic
from actions.funding_finder import FILTERS as FUNDING_FILTERS, named_in_question, show_programmes
from actions.place_slots import in_english, lookup, place_slots
from bot.config import load_settings
from bot.directory.local_services import LocalService, land_portal, local_service
from bot.directory.places import PlaceMatch
from bot.directory.yaml_source import DirectoryError
from bot.render import stand

logger = logging.getLogger(__name__)

# Topics with an English answer: topic → domain response (tests/test_english.py checks them).
ENGLISH_ANSWERS: Dict[str, str] = {
    "gruendungsfahrplan": "utter_en_gruendungsfahrplan",
    "gewerbeanmeldung": "utter_en_gewerbeanmeldung",
    "foerderung_ueberblick": "utter_en_foerderung_ueberblick",
    "aufenthaltstitel": "utter_en_aufenthaltstitel",
}
FUNDING_OVERVIEW = "foerderung_ueberblick"
FAQ_RESPONSES = "utter_faq"  # the answers are utter_faq/<topic> (Land variants chosen by Rasa)
# Procedure topics whose answer names the founder's own town office (directory service key).
LOCAL_SERVICES: Dict[str, str] = {"gewerbeanmeldung": "gewerbe", "gewerbe_ummelden_abmelden": "gewerbe"}


def chosen_topic(tracker: Tracker) -> Optional[str]:
    return closest_topic(tracker.latest_message or {}, use_response=True)


def local_line(service: LocalService, english: bool) -> str:
    """One short paragraph: where the founder's own town takes the registration, with source and Stand."""
    office = f" ({service.office})" if service.office else ""
    if english:
        if service.homepage_only:
            how = "the town's website (search for „Gewerbe“)"
        else:
            how = "register online" if service.online else "information and contact"
        return (f"{service.place}{office}: Gewerbe – {how}: {service.url}\n"
                f"Source: {service.source}\n{stand(service.verified, english=True)}")
    if service.homepage_only:
        how = "Startseite der Stadt (dort „Gewerbe“ suchen)"
    else:
        how = "online anmelden" if service.online else "Informationen und Kontakt"
    return (f"{service.place}{office}: Gewerbe – {how}: {service.url}\n"
            f"Quelle: {service.source}\n{stand(service.verified)}")


def portal_line(place: str, portal: LocalService, english: bool) -> str:
    if english:
        return (f"{place}: your town or municipality registers the Gewerbe; the {portal.land} portal names "
                f"the office and its online services: {portal.url}\n{stand(portal.verified, english=True)}")
    return (f"{place}: zuständig ist Ihre Stadt- oder Gemeindeverwaltung; das Landesportal nennt Stelle und "
            f"Online-Dienste: {portal.url}\n{stand(portal.verified)}")


class ActionAnswerFaq(Action):
    def name(self) -> Text:
        return "action_answer_faq"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> List[EventType]:
        topic = chosen_topic(tracker)
        if topic is None:  # an FAQ intent without a topic: never stay silent
            dispatcher.utter_message(response="utter_nlu_fallback")
            return []
        english = in_english(tracker)
        if topic == FUNDING_OVERVIEW:
            named = named_in_question(tracker)
            if named is not None:  # "Zuschüsse in Thüringen?": the matching programmes, not the overview
                return show_programmes(dispatcher, *(named[s] for s in FUNDING_FILTERS), english)
        match = self._place(tracker)
        slots = place_slots(match) if match is not None else {}
        # A town the NLU missed (typo) gives the Land now: choose that Land's variant of the answer.
        land = slots.get("land") if slots.get("land") != tracker.get_slot("land") else None
        condition = {"condition_slots": {"land": land}} if land else {}
        if english and topic in ENGLISH_ANSWERS:
            dispatcher.utter_message(response=ENGLISH_ANSWERS[topic], **condition)
        else:
            if english:
                dispatcher.utter_message(response="utter_en_pointer")
            dispatcher.utter_message(response=f"{FAQ_RESPONSES}/{topic}", **condition)
        service = LOCAL_SERVICES.get(topic)
        if service and match is not None:
            self._local(dispatcher, match, service, english)
        return [SlotSet(name, value) for name, value in slots.items() if name in ("ort", "kreis", "land")]

    @staticmethod
    def _place(tracker: Tracker) -> Optional[PlaceMatch]:
        """The town of this message (also misspelt), else the one named earlier in the conversation."""
        for text in ((tracker.latest_message or {}).get("text"), tracker.get_slot("ort")):
            match = lookup(text)
            if match is not None and match.status == "found" and match.region is not None:
                return match
        return None

    @staticmethod
    def _local(dispatcher: CollectingDispatcher, match: PlaceMatch, service: str, english: bool) -> None:
        """The town's own office – or, for a town without an entry, the Land portal."""
        db = load_settings().directory_db
        try:
            found = local_service(db, match.region.name, service)
            portal = None if found else land_portal(db, match.region.land, service)
        except DirectoryError as error:
            logger.error("local services unavailable: %s", error)
            return
        if found:
            dispatcher.utter_message(text=local_line(found, english))
        elif portal and match.region.kind == "gemeinde":
            dispatcher.utter_message(text=portal_line(match.region.name, portal, english))
