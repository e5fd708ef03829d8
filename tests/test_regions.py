from pathlib import Path

import pytest

from bot.directory import generate
from bot.directory.general import DirectoryError
from bot.directory.regions import load_laender
from bot.nlp.build_pipeline import entity_patterns


def test_three_laender_with_their_kreisfreie_staedte() -> None:
    laender = {land.name: land for land in load_laender()}
    assert set(laender) == {"Sachsen", "Sachsen-Anhalt", "Thüringen"}
    assert {"Leipzig", "Dresden", "Chemnitz"} <= set(laender["Sachsen"].cities)
    assert {"Halle (Saale)", "Magdeburg", "Dessau-Roßlau"} <= set(laender["Sachsen-Anhalt"].cities)
    assert {"Erfurt", "Jena", "Gera", "Weimar", "Suhl"} <= set(laender["Thüringen"].cities)
    for land in laender.values():
        assert land.source.startswith("https://") and land.verified


def test_generated_synonyms_are_up_to_date() -> None:
    assert generate.main(["--check"]) == 0


def test_synonyms_map_cities_to_their_land() -> None:
    text = generate.render_regions(load_laender())
    assert "  - synonym: Thüringen\n" in text and "      - jena\n" in text


def test_entity_patterns_cover_every_spelling() -> None:
    patterns = {p["pattern"]: p["id"] for p in entity_patterns()}
    assert patterns["Sachsen-Anhalt"] == "Sachsen-Anhalt"
    assert patterns["Thueringen"] == "Thüringen"
    assert patterns["Halle (Saale)"] == "Sachsen-Anhalt"


def test_a_city_in_two_laender_is_rejected(tmp_path: Path) -> None:
    broken = tmp_path / "laender.yml"
    broken.write_text(
        "laender:\n"
        "  - {name: A, staedte: [Musterstadt], source: https://a.example, verified: 2026-11}\n"
        "  - {name: B, staedte: [musterstadt], source: https://b.example, verified: 2026-11}\n",
        encoding="utf-8",
    )
    with pytest.raises(DirectoryError, match="musterstadt"):
        load_laender(broken)


def test_missing_source_is_rejected_with_line(tmp_path: Path) -> None:
    broken = tmp_path / "laender.yml"
    broken.write_text("laender:\n  - name: A\n    verified: 2026-11\n", encoding="utf-8")
    with pytest.raises(DirectoryError, match=":2: Pflichtfeld"):
        load_laender(broken)
