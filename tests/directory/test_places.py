"""Place resolution: names, variants, missing umlauts, typos (rapidfuzz), ambiguity, outside, unknown."""

from pathlib import Path

import pytest

from bot.directory.build import build
from bot.directory.places import resolve
from bot.directory.yaml_source import DirectoryError


@pytest.mark.parametrize("text, name, kreis", [
    ("Wo bekomme ich in Jena Gründungsberatung?", "Jena", "Jena"),
    ("Ich will in Borna ein Café eröffnen — wer hilft mir?", "Borna", "Landkreis Leipzig"),
    ("Wir sitzen in Bitterfeld-Wolfen", "Bitterfeld-Wolfen", "Landkreis Anhalt-Bitterfeld"),
    ("Magdebrug Förderung", "Magdeburg", "Magdeburg"),  # typo → rapidfuzz
    ("halle saale", "Halle (Saale)", "Halle (Saale)"),
    ("Dessau", "Dessau-Roßlau", "Dessau-Roßlau"),
    ("goerlitz", "Görlitz", "Landkreis Görlitz"),
    ("Landkreis Leipzig", "Landkreis Leipzig", "Landkreis Leipzig"),
    ("leipzig", "Leipzig", "Leipzig"),  # the kreisfreie Stadt, not the Landkreis
    ("Eisenach", "Eisenach", "Wartburgkreis"),
    ("gewerbe anmelden in jnea", "Jena", "Jena"),  # two letters swapped in a name too short for the ratio
    ("mein laden in gotah", "Gotha", "Landkreis Gotha"),
])
def test_places_are_found_with_their_kreis(directory_db: Path, text: str, name: str, kreis: str) -> None:
    match = resolve(text, directory_db)
    assert match.status == "found"
    assert match.region is not None
    assert (match.region.name, match.region.kreis) == (name, kreis)


def test_land_names_without_umlauts(directory_db: Path) -> None:
    match = resolve("ich gruende in thueringen", directory_db)
    assert match.region is not None and (match.region.kind, match.region.name) == ("land", "Thüringen")


def test_university_gives_institution_and_town(directory_db: Path) -> None:
    match = resolve("Ich promoviere an der Uni Halle", directory_db)
    assert match.institution is not None and "Martin-Luther" in match.institution.name
    assert match.region is not None and match.region.name == "Halle (Saale)"


@pytest.mark.parametrize("text", ["München", "Wir sind in Berlin", "muenchen"])
def test_places_outside_the_region(directory_db: Path, text: str) -> None:
    match = resolve(text, directory_db)
    assert match.status == "outside" and match.outside_name in ("München", "Berlin")


@pytest.mark.parametrize("text", ["Atlantis", "Ich habe keine Zeit", "am meisten", "ich will planen", "🙂", "hallo ich bin neu",
                                  "lieber nicht", "geht das online", "ihre daten"])
def test_ordinary_words_are_not_taken_for_places(directory_db: Path, text: str) -> None:
    assert resolve(text, directory_db).status == "unknown"


def test_a_name_two_towns_share_is_ambiguous(data_copy: Path, tmp_path: Path) -> None:
    for file, kreis in (("kreise-sachsen.yml", "Landkreis Bautzen"), ("kreise-thueringen.yml", "Saale-Orla-Kreis")):
        path = data_copy / file
        text = path.read_text(encoding="utf-8")
        anchor = f"  - name: {kreis}\n"
        assert anchor in text
        head, tail = text.split(anchor, 1)
        orte = tail.index("    orte:\n") + len("    orte:\n")
        tail = tail[:orte] + f"      - {{name: Neustadt {file[7:10]}, varianten: [Neustadt]}}\n" + tail[orte:]
        path.write_text(head + anchor + tail, encoding="utf-8")
    db = tmp_path / "d.db"
    build(db, data_copy)
    match = resolve("Neustadt", db)
    assert match.status == "ambiguous"
    assert {r.kreis for r in match.candidates} == {"Landkreis Bautzen", "Saale-Orla-Kreis"}


def test_missing_database_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DirectoryError, match="fehlt"):
        resolve("Jena", tmp_path / "nope.db")


def test_broken_database_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"not a database")
    with pytest.raises(DirectoryError, match="beschädigt"):
        resolve("Jena", broken)
