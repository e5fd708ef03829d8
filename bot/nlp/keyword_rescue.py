"""NLU component: an unsure message that clearly asks for money or for a person is not a fallback.

Runs after the FallbackClassifier. A colloquial or keyword-style message the classifier is unsure
about ("kredit gründung thüringen", "gibts ne hotline", "Rückuf bitte") would get "Das habe ich
nicht verstanden". If it names a kind of funding (or asks for funding and names a Land, town or
situation), it becomes ``find_funding`` – the finder shows the matching programmes at once; if it
asks for a person or a callback, it becomes ``human_handover`` (callback and local contact offered).
Anything else stays ``nlu_fallback``. A fallback for a near tie that the FAQ led (above the
threshold) goes to the FAQ instead: its topic answer is more specific than the finder. The confidence stays the fallback threshold, so the message
still reads as unsure in logs and reports; the original ranking is kept below.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (ENTITIES, ENTITY_ATTRIBUTE_TYPE, INTENT, INTENT_NAME_KEY,
                                       INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT)
from rasa.shared.nlu.training_data.message import Message

from bot.directory.text import fold
from bot.funding_words import KIND_WORDS, TARGET_WORDS

logger = logging.getLogger(__name__)

FALLBACK = "nlu_fallback"
FUNDING, HUMAN, FAQ = "find_funding", "human_handover", "faq"
MONEY_KINDS = ("Zuschuss", "Stipendium", "Kredit", "Beteiligung")  # not "Beratung": that is a FAQ topic
FUNDING_WORD = re.compile(r"\bfoerder\w*|\bgeld\w*\b|\bfinanzier\w*|\bkapital\b|\bfunding\b|\bmoney\b")
PERSON = re.compile(
    r"\bmensch(en)?\b|\bmitarbeiter\w*\b|\bhotline\b|\breal person\b|\bhuman\b|\bsomeone\b"
    r"|\bjemand\w*\b.*\b(reden|sprechen|telefonieren|anrufen)\b|\bversteh\w* (\w+ ){0,2}nicht\b"
    r"|\bnicht weiter\b|\br(ue|u)e?c?kr?u+f\w*|\bzurueckruf\w*|\bcall ?back\b")


def _names(patterns: Any, folded: str) -> Optional[str]:
    return next((value for pattern, value in patterns if re.search(pattern, folded)), None)


def rescued_intent(text: str, names_place: bool) -> Optional[str]:
    """``find_funding`` / ``human_handover`` for a message that clearly asks for it, else ``None``."""
    folded = fold(text)
    if _names(KIND_WORDS, folded) in MONEY_KINDS:
        return FUNDING
    if PERSON.search(folded):
        return HUMAN
    if FUNDING_WORD.search(folded) and (names_place or _names(TARGET_WORDS, folded)):
        return FUNDING
    return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class KeywordRescue(GraphComponent):
    """Turns ``nlu_fallback`` into ``find_funding`` or ``human_handover`` where the words are unmistakable."""

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "KeywordRescue":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            text = message.get(TEXT) or ""
            if intent.get(INTENT_NAME_KEY) != FALLBACK or not text or text.startswith("/"):
                continue
            names_place = any(e.get(ENTITY_ATTRIBUTE_TYPE) in ("land", "ort")
                              for e in message.get(ENTITIES) or [])
            rescued = rescued_intent(text, names_place)
            if rescued is None:
                continue
            top = next((e for e in message.get(INTENT_RANKING_KEY) or [] if e.get(INTENT_NAME_KEY) != FALLBACK), {})
            if (top.get(INTENT_NAME_KEY) == FAQ
                    and (top.get(PREDICTED_CONFIDENCE_KEY) or 0) >= (intent.get(PREDICTED_CONFIDENCE_KEY) or 1)):
                rescued = FAQ  # a tie the FAQ won ("Welche Förderbank gibt es in …?"): its topic is specific
            new = {INTENT_NAME_KEY: rescued, PREDICTED_CONFIDENCE_KEY: intent.get(PREDICTED_CONFIDENCE_KEY)}
            ranking = [e for e in message.get(INTENT_RANKING_KEY) or [] if e.get(INTENT_NAME_KEY) != rescued]
            message.set(INTENT, new, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [new, *ranking], add_to_output=True)
            logger.debug("keyword rescue: nlu_fallback → %s", rescued)
        return messages
