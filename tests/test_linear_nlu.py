"""The linear intent classifier and FAQ response selector: train, persist, load, predict."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional, Tuple

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp.linear_intent import LinearIntentClassifier, with_entity_markers
from bot.nlp.linear_response_selector import LinearResponseSelector
from bot.nlp.text_features import normalise

INTENTS: List[Tuple[str, str]] = [
    ("hallo", "greet"), ("guten tag", "greet"), ("moin", "greet"), ("hallo zusammen", "greet"),
    ("tschüss", "goodbye"), ("auf wiedersehen", "goodbye"), ("bis bald", "goodbye"), ("ciao", "goodbye"),
]
FAQ: List[Tuple[str, str]] = [
    ("Wie melde ich ein Gewerbe an?", "faq/gewerbeanmeldung"),
    ("gewerbe anmelden kosten", "faq/gewerbeanmeldung"),
    ("Wo ist das Gewerbeamt?", "faq/gewerbeanmeldung"),
    ("Gewerbeanmeldung online", "faq/gewerbeanmeldung"),
    ("Welche Förderung gibt es für Gründer?", "faq/foerderung_ueberblick"),
    ("förderprogramme überblick", "faq/foerderung_ueberblick"),
    ("Gibt es Zuschüsse für meine Gründung?", "faq/foerderung_ueberblick"),
    ("Förderung finden", "faq/foerderung_ueberblick"),
]
RESPONSES = {"utter_faq/gewerbeanmeldung": [{"text": "Beim Gewerbeamt Ihrer Gemeinde."}],
             "utter_faq/foerderung_ueberblick": [{"text": "Zuschüsse, Kredite, Beteiligungen."}]}


def _training_data() -> TrainingData:
    examples = [Message(data={"text": text, "intent": intent}) for text, intent in INTENTS]
    examples += [Message(data={"text": text, "intent": "faq", "intent_response_key": key}) for text, key in FAQ]
    return TrainingData(training_examples=examples, responses=RESPONSES)


@pytest.fixture()
def storage(tmp_path: Path) -> LocalModelStorage:
    return LocalModelStorage(tmp_path)


def _context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test-model")


def _train_and_load(cls, storage: LocalModelStorage, name: str):
    resource = Resource(name)
    cls.create({}, storage, resource, _context()).train(_training_data())
    return cls.load({}, storage, resource, _context())


def test_normalise_lowercases_and_folds_umlauts() -> None:
    assert normalise("Förderung für Gründer, Größe") == "foerderung fuer gruender, groesse"


def test_intent_classifier_survives_persist_and_load(storage: LocalModelStorage) -> None:
    classifier = _train_and_load(LinearIntentClassifier, storage, "intents")
    messages = [Message(data={"text": text}) for text in ("Hallo!", "tschuess dann", "foerderung gruender")]
    classifier.process(messages)

    assert [m.get("intent")["name"] for m in messages] == ["greet", "goodbye", "faq"]
    ranking = messages[0].get("intent_ranking")
    confidences = [entry["confidence"] for entry in ranking]
    assert confidences == sorted(confidences, reverse=True)
    assert {entry["name"] for entry in ranking} == {"greet", "goodbye", "faq"}
    assert sum(confidences) == pytest.approx(1.0)
    assert ranking[0] == messages[0].get("intent")


def test_response_selector_output_has_rasas_format(storage: LocalModelStorage) -> None:
    selector = _train_and_load(LinearResponseSelector, storage, "faq")
    message = Message(data={"text": "wo kann ich mein gewerbe anmelden"})
    selector.process([message])

    properties = message.get("response_selector")
    assert properties["all_retrieval_intents"] == ["faq"]
    response = properties["default"]["response"]
    assert response["intent_response_key"] == "faq/gewerbeanmeldung"
    assert response["utter_action"] == "utter_faq/gewerbeanmeldung"
    assert response["responses"] == RESPONSES["utter_faq/gewerbeanmeldung"]
    ranking = properties["default"]["ranking"]
    assert [entry["intent_response_key"] for entry in ranking][0] == "faq/gewerbeanmeldung"
    assert ranking[0]["confidence"] == response["confidence"] > ranking[1]["confidence"]


def test_response_selector_keeps_other_selectors(storage: LocalModelStorage) -> None:
    selector = _train_and_load(LinearResponseSelector, storage, "faq2")
    message = Message(data={"text": "förderung?"})
    message.set("response_selector", {"chitchat": {"response": {}}})
    selector.process([message])
    assert set(message.get("response_selector")) == {"chitchat", "default", "all_retrieval_intents"}
    assert message.get("response_selector")["default"]["response"]["intent_response_key"] == "faq/foerderung_ueberblick"


def test_untrainable_data_leaves_messages_unchanged(storage: LocalModelStorage) -> None:
    resource = Resource("single")
    only_greet = TrainingData(training_examples=[Message(data={"text": "hallo", "intent": "greet"})])
    LinearIntentClassifier.create({}, storage, resource, _context()).train(only_greet)
    classifier = LinearIntentClassifier.load({}, storage, resource, _context())
    message = Message(data={"text": "hallo"})
    classifier.process([message])
    assert message.get("intent") is None


def test_empty_text_gets_a_low_confidence_intent(storage: LocalModelStorage) -> None:
    classifier = _train_and_load(LinearIntentClassifier, storage, "empty")
    message = Message(data={"text": ""})
    classifier.process([message])
    assert message.get("intent")["confidence"] < 0.5  # below the FallbackClassifier's threshold


def _with_doc(nlp, text: str, intent: Optional[str] = None) -> Message:
    message = Message(data={"text": text, **({"intent": intent} if intent else {})})
    message.set("text_spacy_doc", nlp(text.lower()))
    return message


def test_places_known_to_the_entity_ruler_count_as_places(storage: LocalModelStorage) -> None:
    import spacy

    nlp = spacy.blank("de")
    nlp.add_pipe("entity_ruler").add_patterns(
        [{"label": "ort", "pattern": town} for town in ("weimar", "leipzig", "jena", "dresden", "gera", "halle")])
    assert with_entity_markers(_with_doc(nlp, "in Weimar")) == "in Weimar __ort__"
    assert with_entity_markers(Message(data={"text": "ohne spaCy"})) == "ohne spaCy"

    examples = [_with_doc(nlp, text, "inform") for text in ("in weimar", "Leipzig", "ich sitze in Jena", "dresden")]
    examples += [_with_doc(nlp, text, "out_of_scope") for text in
                 ("wie wird das wetter", "erzähl einen witz", "ein rezept bitte", "fussball ergebnisse")]
    resource = Resource("places")
    LinearIntentClassifier.create({}, storage, resource, _context()).train(TrainingData(training_examples=examples))
    classifier = LinearIntentClassifier.load({}, storage, resource, _context())
    unseen = [_with_doc(nlp, "Gera"), _with_doc(nlp, "Halle")]  # towns the training data never named
    classifier.process(unseen)
    assert [m.get("intent")["name"] for m in unseen] == ["inform", "inform"]


@pytest.mark.parametrize("cls, name", [(LinearIntentClassifier, "intents3"), (LinearResponseSelector, "faq3")])
def test_fast_scoring_equals_sklearns_probabilities(storage: LocalModelStorage, cls, name: str) -> None:
    """The cached contiguous weights give exactly sklearn's predict_proba (multinomial and binary)."""
    component = _train_and_load(cls, storage, name)
    texts = ["Hallo, wie melde ich ein Gewerbe an?", "tschüss", "Förderung", ""]
    assert component.probabilities(texts) == pytest.approx(component.pipeline.predict_proba(texts), abs=1e-9)


def test_fast_scoring_for_two_labels(storage: LocalModelStorage) -> None:
    from rasa.shared.nlu.training_data.training_data import TrainingData as Data

    resource = Resource("binary")
    classifier = LinearIntentClassifier.create({}, storage, resource, _context())
    classifier.train(Data(training_examples=[Message(data={"text": t, "intent": i}) for t, i in INTENTS]))
    texts = ["hallo", "ciao", "bis bald hallo"]
    assert classifier.probabilities(texts) == pytest.approx(classifier.pipeline.predict_proba(texts), abs=1e-9)
