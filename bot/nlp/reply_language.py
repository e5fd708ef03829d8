"""NLU component: which language to answer in – entity ``sprache`` = ``de`` or ``en``.

Founders who write English get English answers where the bot has them (first steps, Gewerbe,
funding overview, contacts) and a clear English pointer elsewhere (actions/answer_faq.py). The
slot ``sprache`` follows this entity, so it changes only when a message clearly reads as one of the
two languages: short replies ("ok", "Leipzig", "ja") keep the language of the conversation.

lingua (already loaded for ``OtherLanguageCheck``) judges sentences well but not two-word
messages; a count of unmistakable function words helps there ("how do I register" vs. "wie melde ich").
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from lingua import Language
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp.language_check import detector

ENTITY = "sprache"
ENGLISH, GERMAN = "en", "de"
WORD = re.compile(r"[^\W\d_]+")
# Words that occur in one of the two languages only (no "in", "was", "will", "die", "an", "also").
ENGLISH_WORDS = frozenset(
    "the a i you my your is are do does did how what where which who can could need want would "
    "should please there get of and with for to business company startup register registration "
    "funding grant loan start starting founder help me am this that it hello thanks thank bye goodbye".split())
# Whole messages that are English though short ("hello", "thank you").
ENGLISH_SHORT = frozenset({"hello", "hello there", "hi there", "thanks", "thank you", "thanks a lot", "bye",
                           "goodbye", "good morning", "good evening", "good afternoon", "yes please", "no thanks"})
GERMAN_WORDS = frozenset(
    "ich der das und wie wo kann muss ein eine einen mein meine meinen für mit ist sind gibt es bei "
    "zu nicht welche welcher brauche möchte moechte wer sie du mich mir dem den gewerbe gründen "
    "gruenden gründung gruendung förderung foerderung anmelden".split())
MIN_LINGUA = 0.55


def reply_language(text: Optional[str]) -> Optional[str]:
    """``en`` / ``de`` when the message clearly reads as that language, else ``None``."""
    words = [w.lower() for w in WORD.findall(text or "")]
    if not words:
        return None
    if " ".join(words) in ENGLISH_SHORT:
        return ENGLISH
    english = sum(w in ENGLISH_WORDS for w in words)
    german = sum(w in GERMAN_WORDS for w in words)
    if german > english or (german and len(words) <= 2):
        return GERMAN
    if english >= 2 and english > 2 * german:
        return ENGLISH
    if len(words) < 3:
        return None
    best = detector().compute_language_confidence_values(" ".join(words))
    if best and best[0].value >= MIN_LINGUA:
        if best[0].language == Language.ENGLISH:
            return ENGLISH
        if best[0].language == Language.GERMAN:
            return GERMAN
    return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class ReplyLanguageExtractor(GraphComponent, EntityExtractorMixin):
    """Adds the entity ``sprache`` (de/en) to messages whose language is clear."""

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "ReplyLanguageExtractor":
        detector()
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text or text.startswith("/"):
                continue  # button payloads carry no language
            language = reply_language(text)
            if language is None:
                continue
            entities = [e for e in message.get(ENTITIES, []) if e.get("entity") != ENTITY]
            entities.append({"entity": ENTITY, "value": language, "start": 0, "end": len(text),
                             "confidence": 1.0, "extractor": self.__class__.__name__})
            message.set(ENTITIES, entities, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
