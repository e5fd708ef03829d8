"""The German spaCy pipeline and the train-only-when-changed logic."""

import spacy

from bot.nlp import build_pipeline
from bot import train


def test_default_base_is_self_built_unless_small_model_installed() -> None:
    expected = "de_core_news_sm" if spacy.util.is_package("de_core_news_sm") else "blank"
    assert build_pipeline.choose_base("auto") == expected
    assert build_pipeline.choose_base("blank") == "blank"


def test_built_pipeline_is_german_with_lemmas() -> None:
    path = build_pipeline.ensure_pipeline()
    nlp = spacy.load(path)
    assert nlp.lang == "de"
    doc = nlp("Wir gründeten zwei Firmen.")
    lemmas = {token.text: token.lemma_ for token in doc}
    assert lemmas["gründeten"] == "gründen"
    assert lemmas["Firmen"] == "Firma"
    # German tokenizer rules: abbreviations stay one token
    assert [t.text for t in nlp("Das kostet z. B. 25 €.")][2:4] == ["z.", "B."]


def test_pipeline_fingerprint_depends_on_recipe() -> None:
    blank = build_pipeline.fingerprint("blank", [])
    assert blank == build_pipeline.fingerprint("blank", [])
    assert blank != build_pipeline.fingerprint("blank", [{"label": "ORT", "pattern": "Jena"}])


def test_unknown_spacy_base_is_a_clear_error() -> None:
    try:
        build_pipeline.choose_base("en_core_web_sm")
    except ValueError as error:
        assert "GL_SPACY_BASE" in str(error)
    else:
        raise AssertionError("expected ValueError")


def test_model_fingerprint_changes_with_training_data(tmp_path, monkeypatch) -> None:
    (tmp_path / "data" / "nlu").mkdir(parents=True)
    (tmp_path / "data" / "directory").mkdir()
    (tmp_path / "config.yml").write_text("language: de\n")
    (tmp_path / "domain.yml").write_text("version: '3.1'\n")
    nlu = tmp_path / "data" / "nlu" / "core.yml"
    nlu.write_text("nlu: []\n")
    monkeypatch.setattr(train, "PROJECT_ROOT", tmp_path)
    first = train.fingerprint()
    assert train.fingerprint() == first
    (tmp_path / "data" / "directory" / "kammern.yml").write_text("kammern: []\n")
    assert train.fingerprint() == first  # a contact fix needs `bot verzeichnis`, not a new model
    nlu.write_text("nlu:\n- intent: greet\n  examples: |\n    - hallo\n")
    second = train.fingerprint()
    assert second != first
    component = tmp_path / "bot" / "nlp" / "linear_intent.py"
    component.parent.mkdir(parents=True)
    component.write_text("C = 50\n")  # the custom NLU components' code is a training input
    third = train.fingerprint()
    assert third != second
    (component.parent / "__pycache__").mkdir()
    (component.parent / "__pycache__" / "linear_intent.cpython-310.pyc").write_bytes(b"\x00")
    assert train.fingerprint() == third  # bytecode caches are not


def test_current_model_exists_after_training(model_path) -> None:
    assert model_path == train.model_path()
    assert model_path.exists() and model_path.stat().st_size > 100_000
