"""A Land variant of an FAQ answer names and cites only federal sources and its own Land's.

The markers of each Land come from the contact directory (data/directory/), not from a list of
known mistakes (bot/land_markers.py).
"""

from __future__ import annotations

from typing import Dict, List, Tuple

import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.directory.sources import LAENDER, load_directory
from bot.land_markers import Markers, foreign_markers, land_markers

FAQ_FILES = sorted((PROJECT_ROOT / "data" / "nlu" / "faq").glob("*.yml"))


@pytest.fixture(scope="module")
def markers() -> Dict[str, Markers]:
    return land_markers(load_directory())


def land_variants() -> List[Tuple[str, str, dict]]:
    out = []
    for path in FAQ_FILES:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for variants in (data.get("responses") or {}).values():
            for variant in variants:
                for condition in variant.get("condition") or []:
                    if condition.get("name") == "land":
                        out.append((path.stem, condition["value"], variant))
    return out


VARIANTS = land_variants()


def test_markers_are_derived_for_every_land(markers: Dict[str, Markers]) -> None:
    for land in LAENDER:
        assert land in markers[land].names  # the Land's own name
        assert markers[land].addresses
    assert "Gera" in markers["Thüringen"].names and "Dresden" in markers["Sachsen"].names
    assert "buerger.sachsen-anhalt.de" in markers["Sachsen-Anhalt"].addresses
    shared = {"ihk.de", "gesetze-im-internet.de", "existenzgruendungsportal.de", "foerderdatenbank.de"}
    for land in LAENDER:
        assert not shared & markers[land].addresses, land


def test_the_check_finds_the_reported_mistake(markers: Dict[str, Markers]) -> None:
    """The Sachsen answer that quoted Gera's fee and Sachsen-Anhalt's portal (issue 12)."""
    text = ("Die Gebühr legt die Kommune fest (z. B. Gera 25 €).\n"
            "Quellen: https://amt24.sachsen.de, https://buerger.sachsen-anhalt.de, https://www.ihk.de/erfurt/x")
    found = foreign_markers("Sachsen", text, ["https://buerger.sachsen-anhalt.de"], markers)
    assert any("Gera" in f for f in found)
    assert any("buerger.sachsen-anhalt.de" in f for f in found)
    assert any("ihk.de/erfurt" in f for f in found)
    assert foreign_markers("Thüringen", "Gebühr z. B. Gera 25 €.", ["https://www.gera.de"], markers) == []
    assert foreign_markers("Sachsen-Anhalt", "Bürger- und Unternehmensservice Sachsen-Anhalt", [], markers) == []


def test_there_are_land_variants() -> None:
    assert {land for _, land, _ in VARIANTS} == set(LAENDER)


@pytest.mark.parametrize("topic, land, variant", VARIANTS, ids=[f"{t}-{l}" for t, l, _ in VARIANTS])
def test_land_variant_names_only_its_own_land(topic: str, land: str, variant: dict,
                                              markers: Dict[str, Markers]) -> None:
    found = foreign_markers(land, variant["text"], variant["metadata"]["sources"], markers)
    assert found == [], f"{topic} ({land}) nennt andere Länder: {found}"


@pytest.mark.parametrize("topic, land, variant", VARIANTS, ids=[f"{t}-{l}" for t, l, _ in VARIANTS])
def test_stand_line_matches_metadata(topic: str, land: str, variant: dict) -> None:
    months = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
              "November", "Dezember"]
    year, month = str(variant["metadata"]["stand"]).split("-")
    assert variant["text"].endswith(f"Stand: {months[int(month) - 1]} {year}")
