"""NLU component: a recognised place (entity ``ort``) also yields its Land (entity ``land``) – and
so do the names of a Land's own institutions ("Thüringer Aufbaubank", "futureSAX", "IHK Halle-Dessau")
and the Land adjectives ("sächsisch", "Thüringer"), so "Was macht die Thüringer Aufbaubank?" gets
the Thüringen answer.

FAQ answers are tailored per Land (slot ``land``). Deriving the Land inside the NLU pipeline
keeps that working for every town in the directory without a call to the action server on
each message (measured: that call cost more than half the throughput, see docs/messwerte.md).
The place → Land table is taken from data/directory/ at training time and stored in the model.
"""

from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.directory.text import fold

TABLE_FILE = "orte_laender.json"
NAMES_FILE = "namen_laender.json"
# Adjectives and English names of the Länder (folded text, see bot.directory.text.fold).
LAND_WORDS = (
    (r"\bsachsen anhaltisch\w*|\bsaxony anhalt\b", "Sachsen-Anhalt"),
    (r"\bsaechsisch\w*|\bsaxony\b|\bsaxon\b", "Sachsen"),
    (r"\bthueringer\b|\bthueringisch\w*|\bthuringia\w*", "Thüringen"),
)


def institution_names() -> Dict[str, str]:
    """Names of institutions that belong to exactly one Land (bot/land_markers.py) → that Land.

    Short or mixed-case names ("MLU", "HoMe") are kept as written and later matched case-sensitively,
    so the English word "home" is no Sachsen-Anhalt marker; longer names are matched folded.
    """
    from bot.directory.sources import load_directory
    from bot.land_markers import land_markers

    directory = load_directory()
    places = {fold(n) for p in directory.places for n in (p.name, *p.aliases)}
    names: Dict[str, str] = {}
    for land, markers in land_markers(directory).items():
        for name in markers.names:
            if fold(name) in places or len(name) < 3:
                continue
            names[name if _exact(name) else fold(name)] = land
    return names


def _exact(name: str) -> bool:
    return len(name) <= 5 or any(c.isupper() for c in name[1:])


def _pattern(names: Dict[str, str]) -> Optional["re.Pattern[str]"]:
    if not names:
        return None
    alternatives = sorted(names, key=len, reverse=True)
    return re.compile(r"(?<![\w|])(" + "|".join(re.escape(n) for n in alternatives) + r")(?![\w|])")


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
                 table: Optional[Dict[str, str]] = None, names: Optional[Dict[str, str]] = None) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self.table = table or {}
        self.names = names or {}
        self._exact_names = _pattern({n: l for n, l in self.names.items() if _exact(n)})
        self._folded_names = _pattern({n: l for n, l in self.names.items() if not _exact(n)})

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "PlaceLandExtractor":
        return cls(model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        self.table = place_to_land_table()
        self.names = institution_names()
        with self._model_storage.write_to(self._resource) as directory:
            (directory / TABLE_FILE).write_text(json.dumps(self.table, ensure_ascii=False), encoding="utf-8")
            (directory / NAMES_FILE).write_text(json.dumps(self.names, ensure_ascii=False), encoding="utf-8")
        return self._resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> "PlaceLandExtractor":
        table: Dict[str, str] = {}
        names: Dict[str, str] = {}
        try:
            with model_storage.read_from(resource) as directory:
                table = json.loads((directory / TABLE_FILE).read_text(encoding="utf-8"))
                if (directory / NAMES_FILE).exists():
                    names = json.loads((directory / NAMES_FILE).read_text(encoding="utf-8"))
        except (ValueError, OSError):
            pass
        return cls(model_storage, resource, table, names)

    def land_of_text(self, text: str) -> Optional[str]:
        """The Land named by an institution or an adjective in ``text`` (only if exactly one Land)."""
        found = set()
        if self._exact_names is not None:
            found |= {self.names[m] for m in self._exact_names.findall(text)}
        folded = fold(text)
        if self._folded_names is not None:
            found |= {self.names[m] for m in self._folded_names.findall(folded)}
        found |= {land for pattern, land in LAND_WORDS if re.search(pattern, folded)}
        return found.pop() if len(found) == 1 else None

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
            else:
                land = self.land_of_text(str(message.get(TEXT) or ""))
                if land:
                    entities.append({"entity": "land", "value": land, "start": 0, "end": 0, "confidence": 1.0,
                                     "extractor": self.__class__.__name__})
                    message.set(ENTITIES, entities, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data
