"""NLU component: a recognised place (entity ``ort``) also yields its Land (entity ``land``).

FAQ answers are tailored per Land (slot ``land``). Deriving the Land inside the NLU pipeline
keeps that working for every town in the directory without a call to the action server on
each message (measured: that call cost more than half the throughput, see README "Messwerte").
The place → Land table is taken from data/directory/ at training time and stored in the model.
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.directory.text import fold

TABLE_FILE = "orte_laender.json"


def place_to_land_table() -> Dict[str, str]:
    """Folded name or variant of every Land, Kreis and town → its Land."""
    from bot.directory.sources import load_directory

    directory = load_directory()
    table: Dict[str, str] = {}
    for place in directory.places:
        for name in (place.name, *place.aliases):
            table.setdefault(fold(name), place.land)
    for inst in directory.institutions:
        for name in (inst.name, *inst.aliases):
            table.setdefault(fold(name), inst.land)
    return table


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class PlaceLandExtractor(GraphComponent, EntityExtractorMixin):
    """Adds ``land`` for the first ``ort``/``hochschule`` entity whose Land is known."""

    def __init__(self, model_storage: ModelStorage, resource: Resource,
                 table: Optional[Dict[str, str]] = None) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self.table = table or {}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "PlaceLandExtractor":
        return cls(model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        self.table = place_to_land_table()
        with self._model_storage.write_to(self._resource) as directory:
            (directory / TABLE_FILE).write_text(json.dumps(self.table, ensure_ascii=False), encoding="utf-8")
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "PlaceLandExtractor":
        try:
            with model_storage.read_from(resource) as directory:
                table = json.loads((directory / TABLE_FILE).read_text(encoding="utf-8"))
        except (ValueError, OSError):
            table = {}
        return cls(model_storage, resource, table)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            entities = list(message.get(ENTITIES, []))
            if any(e.get("entity") == "land" for e in entities):
                continue
            for entity in entities:
                if entity.get("entity") not in ("ort", "hochschule"):
                    continue
                land = self.table.get(fold(str(entity.get("value", ""))))
                if land:
                    entities.append({"entity": "land", "value": land, "start": entity.get("start"),
                                     "end": entity.get("end"), "confidence": 1.0,
                                     "extractor": self.__class__.__name__})
                    message.set(ENTITIES, entities, add_to_output=True)
                    break
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
