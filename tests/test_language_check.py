"""The lingua second opinion: other_language only for text that does not read as German/English."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlp.language_check import OtherLanguageCheck, reads_as_german_or_english


@pytest.mark.parametrize("text", ["Quittung", "Bürgergeld", "Gewerbeschein", "Ich will ein Café eröffnen",
                                  "how do I register a business in Germany"])
def test_german_and_english_read_as_understood(text: str) -> None:
    assert reads_as_german_or_english(text)


@pytest.mark.parametrize("text", ["gracias", "dzień dobry", "obrigada", "je ne parle pas allemand",
                                  "Merhaba, Almanya'da nasıl şirket kurabilirim?", "", "   ", None])
def test_foreign_and_empty_text_is_not(text) -> None:
    assert not reads_as_german_or_english(text)


def _message(text: str, first: str) -> Message:
    ranking = [{"name": first, "confidence": 0.6}, {"name": "out_of_scope", "confidence": 0.3},
               {"name": "faq", "confidence": 0.1}]
    message = Message(data={"text": text})
    message.set("intent", ranking[0])
    message.set("intent_ranking", ranking)
    return message


def test_other_language_is_taken_back_only_for_german_or_english_text() -> None:
    german, polish, greeting = (_message("Quittung", "other_language"), _message("dzień dobry", "other_language"),
                                _message("Quittung", "greet"))
    OtherLanguageCheck().process([german, polish, greeting])

    assert german.get("intent") == {"name": "out_of_scope", "confidence": 0.3}  # low: the fallback decides
    assert [entry["name"] for entry in german.get("intent_ranking")] == ["out_of_scope", "faq"]
    assert polish.get("intent")["name"] == "other_language"
    assert greeting.get("intent")["name"] == "greet"
