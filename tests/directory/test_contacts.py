"""Routing: who is responsible for which topic at which place, and why."""

from pathlib import Path

import pytest

from bot.directory.contacts import find_contacts, land_contacts, nationwide
from bot.directory.places import resolve


def contacts(db: Path, topic: str, place: str) -> list:
    match = resolve(place, db)
    return find_contacts(db, topic, match.region, match.institution)


def test_town_gets_its_kreis_wirtschaftsfoerderung_and_kammer(directory_db: Path) -> None:
    found = contacts(directory_db, "gruendungsberatung", "Borna")
    assert 1 <= len(found) <= 3
    assert found[0].kind == "wirtschaftsfoerderung" and "Landkreis Leipzig" in found[0].why
    assert "Borna" in found[0].why
    assert any(c.kind == "IHK" and "Leipzig" in c.name for c in found)


def test_funding_starts_with_the_lands_funding_bank(directory_db: Path) -> None:
    assert "Aufbaubank" in contacts(directory_db, "foerderung", "Jena")[0].name
    assert "Investitionsbank" in contacts(directory_db, "foerderung", "Magdebrug")[0].name


def test_kammer_topic_names_ihk_and_hwk(directory_db: Path) -> None:
    kinds = [c.kind for c in contacts(directory_db, "kammer", "Landkreis Zwickau")]
    assert kinds == ["IHK", "HWK"]


def test_university_founder_gets_the_university_service_first(directory_db: Path) -> None:
    found = contacts(directory_db, "hochschule", "MLU")
    assert found[0].kind == "hochschule" and "MLU" in found[0].name
    assert any("Univations" in c.name for c in found)


def test_every_result_has_website_and_stand(directory_db: Path) -> None:
    for topic in ("gruendungsberatung", "foerderung", "gewerbe", "hochschule", "kammer", "vergabe", "flaechen"):
        for c in contacts(directory_db, topic, "Gera"):
            assert c.website.startswith("http") and c.source.startswith("http") and c.verified
            assert c.why


def test_land_only_gives_land_level_contacts(directory_db: Path) -> None:
    found = land_contacts(directory_db, "Sachsen", "foerderung")
    assert found and all(c.kind != "wirtschaftsfoerderung" for c in found)


def test_nationwide_contacts_for_places_outside(directory_db: Path) -> None:
    names = [c.name for c in nationwide(directory_db)]
    assert "Behördennummer 115" in names


@pytest.mark.parametrize("topic", [None, "unbekannt"])
def test_unknown_topic_falls_back_to_gruendungsberatung(directory_db: Path, topic: object) -> None:
    match = resolve("Weimar", directory_db)
    assert find_contacts(directory_db, topic, match.region)[0].kind == "wirtschaftsfoerderung"  # type: ignore
