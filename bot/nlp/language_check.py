"""NLU component: takes ``other_language`` back when a language detector reads German or English.

The intent classifier learns other_language from ~170 examples. A German word it never saw
("Quittung") can look foreign in character n-grams, and the founder would be told "Ich verstehe
nur Deutsch". lingua (n-gram language models; low-accuracy mode: ~30 MB, < 1 ms per message)
gives a second opinion: if it reads the text as German or English with confidence ≥ 0.7, the
classifier's next intent takes over and the FallbackClassifier judges its confidence as usual.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Optional, Text

from lingua import Language, LanguageDetector, LanguageDetectorBuilder
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlp.foreign_script import OTHER_LANGUAGE
UNDERSTOOD = (Language.GERMAN, Language.ENGLISH)
# The languages of data/nlu/other_language.yml in Latin script (others are decided by script).
FOREIGN = (Language.FRENCH, Language.SPANISH, Language.ITALIAN, Language.PORTUGUESE, Language.POLISH,
           Language.CZECH, Language.SLOVAK, Language.TURKISH, Language.DUTCH, Language.ROMANIAN,
           Language.HUNGARIAN, Language.CROATIAN, Language.ALBANIAN, Language.VIETNAMESE)
MIN_CONFIDENCE = 0.7


@lru_cache(maxsize=1)
def detector() -> LanguageDetector:
    return (LanguageDetectorBuilder.from_languages(*UNDERSTOOD, *FOREIGN)
            .with_low_accuracy_mode().with_preloaded_language_models().build())


def reads_as_german_or_english(text: Optional[str]) -> bool:
    """True when lingua's most likely language is German or English with ≥ ``MIN_CONFIDENCE``."""
    if not text or not text.strip():
        return False
    values = detector().compute_language_confidence_values(text)
    return bool(values) and values[0].language in UNDERSTOOD and values[0].value >= MIN_CONFIDENCE


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class OtherLanguageCheck(GraphComponent):
    """Runs after the intent classifiers, before the FallbackClassifier."""

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "OtherLanguageCheck":
        detector()  # load the language models at start-up, not with the first message
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            if intent.get(INTENT_NAME_KEY) != OTHER_LANGUAGE or not reads_as_german_or_english(message.get(TEXT)):
                continue
            ranking = [entry for entry in message.get(INTENT_RANKING_KEY) or []
                       if entry.get(INTENT_NAME_KEY) != OTHER_LANGUAGE]
            if ranking:
                message.set(INTENT, ranking[0], add_to_output=True)
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
