"""Keyword rescue after the FallbackClassifier: unmistakable funding or person requests are no fallback."""

from typing import Any, Dict, List, Optional

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlp.keyword_rescue import KeywordRescue, rescued_intent


@pytest.mark.parametrize("text, names_place, expected", [
    ("kredit gründung thüringen", True, "find_funding"),
    ("Wir suchen Wagniskapital für unser Startup", False, "find_funding"),
    ("gibts zuschuesse", False, "find_funding"),
    ("Gibt es Geld für Studenten?", False, "find_funding"),  # funding word + situation
    ("foerderung magdeburg", True, "find_funding"),  # funding word + place
    ("Kann ich mit jemandem reden? Du verstehst mich irgendwie nicht.", False, "human_handover"),
    ("ich komm hier nicht weiter, gibts ne hotline", False, "human_handover"),
    ("Ich hätte gern einen Rückuf", False, "human_handover"),
    ("ruckruf bitte", False, "human_handover"),
    ("asdfghjkl", False, None),
    ("Wird Gründungsberatung gefördert?", False, None),  # Beratung is a FAQ topic, not a money kind
    ("foerderung", False, None),  # the overview question needs the classifier, not a keyword
    ("Wo finde ich Büroräume in Dresden?", True, None),
    ("Rufnummer vom Amt", False, None),
])
def test_rescued_intent(text: str, names_place: bool, expected: Optional[str]) -> None:
    assert rescued_intent(text, names_place) == expected


def message(text: str, intent: str, entities: List[Dict[str, Any]]) -> Message:
    ranking = [{"name": intent, "confidence": 0.5}, {"name": "faq", "confidence": 0.4}]
    return Message(data={"text": text, "intent": {"name": intent, "confidence": 0.5},
                         "intent_ranking": ranking, "entities": entities})


def test_only_fallbacks_are_rescued_and_the_ranking_is_kept() -> None:
    rescue = KeywordRescue()
    unsure = message("kredit für meinen laden in jena", "nlu_fallback",
                     [{"entity": "ort", "value": "Jena", "start": 27, "end": 31}])
    sure = message("kredit für meinen laden", "faq", [])
    button = message('/find_funding{"foerder_art": "Kredit"}', "nlu_fallback", [])
    rescue.process([unsure, sure, button])
    assert unsure.get("intent") == {"name": "find_funding", "confidence": 0.5}
    assert [e["name"] for e in unsure.get("intent_ranking")] == ["find_funding", "nlu_fallback", "faq"]
    assert sure.get("intent")["name"] == "faq"
    assert button.get("intent")["name"] == "nlu_fallback"


def test_a_near_tie_the_faq_led_goes_to_the_faq() -> None:
    tie = Message(data={"text": "Welche Förderbank gibt es in Sachsen-Anhalt?",
                        "intent": {"name": "nlu_fallback", "confidence": 0.5},
                        "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.5},
                                           {"name": "faq", "confidence": 0.52},
                                           {"name": "find_funding", "confidence": 0.47}],
                        "entities": [{"entity": "land", "value": "Sachsen-Anhalt"}]})
    KeywordRescue().process([tie])
    assert tie.get("intent") == {"name": "faq", "confidence": 0.5}
