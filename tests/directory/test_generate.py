"""NLU data and entity-ruler patterns come from the directory, so staff edit one source."""

import spacy

from bot.directory import generate
from bot.nlp.build_pipeline import entity_patterns


def test_generated_nlu_file_is_up_to_date() -> None:
    assert generate.main(["--check"]) == 0


def test_patterns_cover_places_spellings_universities_and_topics() -> None:
    by_label: dict = {}
    for p in entity_patterns():
        by_label.setdefault(p["label"], set()).add(p["pattern"])
    assert {"Borna", "Landkreis Leipzig", "Thueringen", "Thuringen", "Bitterfeld-Wolfen", "Goerlitz"} <= by_label["ort"]
    assert {"München", "Berlin"} <= by_label["ort"]  # outside: recognised, then answered as outside
    assert {"MLU", "TU Dresden"} <= by_label["hochschule"]
    assert {"Gewerbeanmeldung", "Foerderung", "Vergabe"} <= by_label["thema"]


def test_entity_ruler_finds_place_university_and_topic_in_a_sentence() -> None:
    nlp = spacy.blank("de")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns(entity_patterns())  # type: ignore[attr-defined]
    doc = nlp("wo bekomme ich in bitterfeld-wolfen foerderung, ich bin an der uni halle")
    found = {(e.label_, e.text) for e in doc.ents}
    assert ("ort", "bitterfeld-wolfen") in found
    assert ("thema", "foerderung") in found
    assert ("hochschule", "uni halle") in found  # the longer match wins over "halle"


def test_topic_keywords_map_to_topic_keys() -> None:
    text = generate.GENERATED_FILE.read_text(encoding="utf-8")
    assert "  - synonym: foerderung\n" in text and "      - fördermittel\n" in text
