"""NLU component: messages written in a non-Latin script get the intent ``other_language``.

A Cyrillic, Arabic or Chinese message is never German, yet a bag-of-n-grams classifier trained
on a few dozen such examples often guesses ``inform`` or ``faq`` for an unseen greeting
("привет", "谢谢"). Deciding by script is exact and costs no model: Unicode names the script of
every letter. Latin-script languages (Polish, French, Turkish …) are left to the intent classifier, which learns
them from data/nlu/other_language.yml; only Vietnamese, whose tone letters German and English
never use, is also recognised here.
"""

from __future__ import annotations

import unicodedata
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

OTHER_LANGUAGE = "other_language"
# Share of letters (non-Latin scripts) or of words (Vietnamese tone letters) that decides.
MIN_FOREIGN_LETTER_SHARE = 0.5
MIN_VIETNAMESE_WORD_SHARE = 0.34
MIN_LETTERS = 2


def _is_vietnamese_letter(char: str) -> bool:
    """Letters with horn (ơ, ư), đ or from the Latin Extended Additional block (ạ, ả, ố …)."""
    code = ord(char)
    return 0x1EA0 <= code <= 0x1EF9 or char in "ơưđƠƯĐ"


def foreign_script_share(text: str) -> float:
    """Share of letters in ``text`` that are not Latin letters (0.0 without letters)."""
    letters = [char for char in text if char.isalpha()]
    if len(letters) < MIN_LETTERS:
        return 0.0
    foreign = sum(1 for char in letters if not unicodedata.name(char, "").startswith("LATIN"))
    return foreign / len(letters)


def vietnamese_word_share(text: str) -> float:
    words = [word for word in text.split() if any(char.isalpha() for char in word)]
    if not words:
        return 0.0
    return sum(1 for word in words if any(_is_vietnamese_letter(c) for c in word)) / len(words)


def is_foreign_script(text: Optional[str]) -> bool:
    """True for text that is certainly neither German nor English, judged by its letters."""
    if not text:
        return False
    return (foreign_script_share(text) >= MIN_FOREIGN_LETTER_SHARE
            or vietnamese_word_share(text) >= MIN_VIETNAMESE_WORD_SHARE)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ForeignScriptClassifier(GraphComponent):
    """Sets ``other_language`` (confidence 1.0) for messages in a non-Latin script.

    Runs after the intent classifier and before the FallbackClassifier; the previous ranking is kept below.
    """

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "ForeignScriptClassifier":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if not is_foreign_script(message.get(TEXT)):
                continue
            intent = {INTENT_NAME_KEY: OTHER_LANGUAGE, PREDICTED_CONFIDENCE_KEY: 1.0}
            ranking = [entry for entry in message.get(INTENT_RANKING_KEY) or []
                       if entry.get(INTENT_NAME_KEY) != OTHER_LANGUAGE]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [intent, *ranking], add_to_output=True)
        return messages
