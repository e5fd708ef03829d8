"""A TF-IDF + logistic regression text classifier, trained, persisted and loaded via Rasa.

Shared by the intent classifier and the FAQ response selector. Why not DIET: on this data
(≈ 4,500 short German examples) the linear model generalises better in 5-fold
cross-validation and trains in seconds instead of minutes (docs/nlu-quality.md, "Verlauf").
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Text, Tuple

import joblib
import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from bot.nlp.text_features import make_vectorizer

logger = logging.getLogger(__name__)

MODEL_FILE = "linear_text_classifier.joblib"
Ranking = List[Tuple[str, float]]


class LinearTextClassifier(GraphComponent):
    """Base component: ``fit`` texts to labels, ``rank`` new texts by label probability."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        # C: inverse regularisation; 50 was best of 1–100 in cross-validation (docs/nlu-quality.md)
        return {"C": 50.0, "max_iter": 3000, "ranking_length": 10}

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 pipeline: Optional[Pipeline] = None) -> None:
        self.config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.pipeline = pipeline
        self._scorer: Optional[Tuple[np.ndarray, np.ndarray, List[str]]] = None
        if pipeline is not None:
            self._prepare_scorer()

    def _prepare_scorer(self) -> None:
        """Weights as one C-contiguous (features × labels) matrix, made once.

        sklearn's predict_proba multiplies the sparse features with ``coef_.T`` – a transposed view
        that scipy copies into contiguous memory on *every* call (38,000 × 92 floats for the FAQ
        selector: 19.5 ms per message, measured; the product itself takes 0.01 ms).
        """
        classifier = self.pipeline.named_steps["classifier"]
        self._scorer = (np.ascontiguousarray(classifier.coef_.T), np.asarray(classifier.intercept_),
                        [str(label) for label in classifier.classes_])

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "LinearTextClassifier":
        return cls(config, model_storage, resource)

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "LinearTextClassifier":
        pipeline = None
        try:
            with model_storage.read_from(resource) as directory:
                pipeline = joblib.load(Path(directory) / MODEL_FILE)
        except ValueError:
            logger.debug("%s: no trained model in this resource (no training data).", cls.__name__)
        return cls(config, model_storage, resource, pipeline)

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> Resource:
        """Train on ``texts``/``labels`` (needs two labels at least) and persist the model."""
        if len(set(labels)) < 2:
            logger.warning("%s: fewer than two labels in the training data, not trained.",
                           type(self).__name__)
            return self._resource
        classifier = LogisticRegression(C=self.config["C"], max_iter=self.config["max_iter"],
                                        class_weight="balanced", random_state=42)
        self.pipeline = Pipeline([("features", make_vectorizer()), ("classifier", classifier)])
        self.pipeline.fit(list(texts), list(labels))
        self._prepare_scorer()
        with self._model_storage.write_to(self._resource) as directory:
            joblib.dump(self.pipeline, Path(directory) / MODEL_FILE)
        return self._resource

    def rank(self, texts: Sequence[str]) -> List[Ranking]:
        """Per text: (label, probability) pairs, best first, cut to ``ranking_length``."""
        if self.pipeline is None or self._scorer is None or not texts:
            return [[] for _ in texts]
        probabilities = self.probabilities(texts)
        labels = self._scorer[2]
        length = self.config["ranking_length"] or len(labels)
        rankings = []
        for row in probabilities:
            pairs = sorted(zip(labels, (float(p) for p in row)), key=lambda pair: -pair[1])
            rankings.append(pairs[:length])
        return rankings

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Same as ``pipeline.predict_proba`` (multinomial softmax; one-vs-rest sigmoid for 2 labels)."""
        assert self.pipeline is not None and self._scorer is not None
        weights, bias, labels = self._scorer
        scores = np.asarray(self.pipeline.named_steps["features"].transform(list(texts)) @ weights) + bias
        if len(labels) == 2:  # binary logistic regression: one score for the second label
            positive = 1.0 / (1.0 + np.exp(-scores[:, 0]))
            return np.column_stack([1.0 - positive, positive])
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)
