"""NLU component: which FAQ answer (``faq/<topic>``) fits a message.

Replaces Rasa's ResponseSelector with the same linear model as the intents (docs/nlu-quality.md).
Its output has the ResponseSelector's format, so Rasa's ``utter_faq`` action, ``rasa test nlu``
and the feedback actions read it unchanged::

    response_selector:
      all_retrieval_intents: [faq]
      default:                       # key "default": config.yml names no retrieval_intent
        response: {intent_response_key: faq/<topic>, utter_action: utter_faq/<topic>,
                   responses: [...], confidence: 0.93}
        ranking: [{intent_response_key: faq/<topic>, confidence: 0.93}, ...]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Text

import joblib
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import (RESPONSE_SELECTOR_DEFAULT_INTENT, RESPONSE_SELECTOR_PREDICTION_KEY,
                                RESPONSE_SELECTOR_PROPERTY_NAME, RESPONSE_SELECTOR_RANKING_KEY,
                                RESPONSE_SELECTOR_RESPONSES_KEY, RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
                                RESPONSE_SELECTOR_UTTER_ACTION_KEY)
from rasa.shared.nlu.constants import INTENT, INTENT_RESPONSE_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.nlu.training_data.util import intent_response_key_to_template_key as template_key
from sklearn.pipeline import Pipeline

from bot.nlp.linear_text_classifier import LinearTextClassifier

RESPONSES_FILE = "responses.joblib"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearResponseSelector(LinearTextClassifier):
    """Picks the FAQ answer among all retrieval intents' responses (``faq/*``)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**LinearTextClassifier.get_default_config(), "retrieval_intent": None}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 pipeline: Optional[Pipeline] = None,
                 responses: Optional[Dict[str, Any]] = None,
                 retrieval_intents: Optional[List[str]] = None) -> None:
        super().__init__(config, model_storage, resource, pipeline)
        self.responses: Dict[str, Any] = responses or {}
        self.retrieval_intents: List[str] = retrieval_intents or []

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "LinearResponseSelector":
        base = super().load(config, model_storage, resource, execution_context)
        responses, retrieval_intents = {}, []
        if base.pipeline is not None:
            with model_storage.read_from(resource) as directory:
                responses, retrieval_intents = joblib.load(Path(directory) / RESPONSES_FILE)
        return cls(config, model_storage, resource, base.pipeline, responses, retrieval_intents)

    def train(self, training_data: TrainingData) -> Resource:
        wanted = self.config["retrieval_intent"]
        examples = [example for example in training_data.intent_examples
                    if example.get(TEXT) and example.get(INTENT_RESPONSE_KEY)
                    and (wanted is None or example.get(INTENT) == wanted)]
        self.retrieval_intents = sorted({example.get(INTENT) for example in examples})
        labels = [example.get(INTENT_RESPONSE_KEY) for example in examples]
        self.responses = {template_key(label): training_data.responses.get(template_key(label), [])
                          for label in set(labels)}
        resource = self.fit([example.get(TEXT) for example in examples], labels)
        if self.pipeline is not None:
            with self._model_storage.write_to(self._resource) as directory:
                joblib.dump((self.responses, self.retrieval_intents), Path(directory) / RESPONSES_FILE)
        return resource

    def process(self, messages: List[Message]) -> List[Message]:
        selector_key = self.config["retrieval_intent"] or RESPONSE_SELECTOR_DEFAULT_INTENT
        for message, ranking in zip(messages, self.rank([m.get(TEXT) or "" for m in messages])):
            if not ranking:
                continue
            best, confidence = ranking[0]
            prediction = {
                RESPONSE_SELECTOR_PREDICTION_KEY: {
                    RESPONSE_SELECTOR_RESPONSES_KEY: self.responses.get(template_key(best)) or [{TEXT: best}],
                    PREDICTED_CONFIDENCE_KEY: confidence,
                    INTENT_RESPONSE_KEY: best,
                    RESPONSE_SELECTOR_UTTER_ACTION_KEY: template_key(best)},
                RESPONSE_SELECTOR_RANKING_KEY: [{INTENT_RESPONSE_KEY: key, PREDICTED_CONFIDENCE_KEY: value}
                                                for key, value in ranking],
            }
            properties = dict(message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {})
            properties[RESPONSE_SELECTOR_RETRIEVAL_INTENTS] = self.retrieval_intents
            properties[selector_key] = prediction
            message.set(RESPONSE_SELECTOR_PROPERTY_NAME, properties, add_to_output=True)
        return messages
