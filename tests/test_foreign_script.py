"""The script-based other_language classifier: exact on scripts, silent on German and English."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlp.foreign_script import ForeignScriptClassifier, is_foreign_script


@pytest.mark.parametrize("text", [
    "привет",
    "Здравствуйте, как открыть фирму в Германии?",
    "谢谢",
    "我想在莱比锡开一家餐馆",
    "مرحبا",
    "سلام، چطور می‌توانم در آلمان شرکت ثبت کنم؟",
    "cảm ơn bạn rất nhiều",
    "làm sao để đăng ký kinh doanh ở Đức",
    "Γεια σας, πώς ανοίγω εταιρεία;",
])
def test_non_latin_and_vietnamese_messages_are_foreign(text: str) -> None:
    assert is_foreign_script(text)


@pytest.mark.parametrize("text", [
    "",
    None,
    "Wie melde ich ein Gewerbe an?",
    "förderung für gründer in görlitz",
    "Straße, Größe, Übersicht",
    "how do I register a business in Germany",
    "Mein Name ist Иван Петров und ich möchte in Leipzig ein Café gründen",
    "👍👍👍",
    "?!",
    "Czy jest dofinansowanie dla nowych firm",  # Latin script: left to the intent classifier
])
def test_german_english_and_latin_script_messages_are_not_flagged(text) -> None:
    assert not is_foreign_script(text)


def _message(text: str) -> Message:
    message = Message(data={"text": text})
    message.set("intent", {"name": "inform", "confidence": 0.6})
    message.set("intent_ranking", [{"name": "inform", "confidence": 0.6},
                                   {"name": "other_language", "confidence": 0.3},
                                   {"name": "faq", "confidence": 0.1}])
    return message


def test_process_overrides_intent_and_keeps_the_ranking_below() -> None:
    classifier = ForeignScriptClassifier()
    foreign, german = _message("你好"), _message("in Leipzig")
    classifier.process([foreign, german])

    assert foreign.get("intent") == {"name": "other_language", "confidence": 1.0}
    assert [entry["name"] for entry in foreign.get("intent_ranking")] == ["other_language", "inform", "faq"]
    assert german.get("intent") == {"name": "inform", "confidence": 0.6}
