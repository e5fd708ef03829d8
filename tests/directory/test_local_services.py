"""Local service links (``gewerbe:`` blocks): what founders type finds the town's own page; broken entries
are refused with file and line; the Land portal is the fallback."""

import re
import sqlite3
from pathlib import Path

import pytest

from bot.directory.build import build
from bot.directory.local_services import land_portal, local_service
from bot.directory.sources import LAENDER, load_directory
from bot.directory.yaml_source import DirectoryError

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@pytest.mark.parametrize("text, place, land", [
    ("Gewerbe anmelden in Dresden, wo geht das?", "Dresden", "Sachsen"),
    ("halle", "Halle (Saale)", "Sachsen-Anhalt"),
    ("Halle (Saale)", "Halle (Saale)", "Sachsen-Anhalt"),
    ("Magdebrug", "Magdeburg", "Sachsen-Anhalt"),  # one typo
    ("Erfurt", "Erfurt", "Thüringen"),
    ("gewerbe in muehlhausen anmelden", "Mühlhausen/Thüringen", "Thüringen"),  # variant, no umlaut
    ("BAUTZEN", "Bautzen", "Sachsen"),  # a town in a Landkreis
])
def test_what_founders_type_finds_the_towns_service(directory_db: Path, text: str, place: str, land: str) -> None:
    found = local_service(directory_db, text)
    assert found is not None
    assert (found.place, found.land, found.service) == (place, land, "gewerbe")
    assert found.url.startswith("https://") and found.source.startswith("https://")
    assert MONTH.match(found.verified)


def test_a_confirmed_service_page_and_a_start_page_are_told_apart(directory_db: Path) -> None:
    magdeburg = local_service(directory_db, "Magdeburg")
    dresden = local_service(directory_db, "Dresden")
    assert magdeburg is not None and not magdeburg.homepage_only and "magdeburg.de/" in magdeburg.url
    assert dresden is not None and dresden.homepage_only and not dresden.online


def test_thueringen_towns_without_own_gewerbe_office_point_to_the_landratsamt(directory_db: Path) -> None:
    """In Thüringen the Landratsamt is the Gewerbebehörde for towns without their own (e.g. Arnstadt)."""
    arnstadt = local_service(directory_db, "Gewerbe in Arnstadt anmelden")
    assert arnstadt is not None and arnstadt.office and "Landratsamt Ilm-Kreis" in arnstadt.office
    kreis = local_service(directory_db, "Landkreis Saalfeld-Rudolstadt")
    assert kreis is not None and kreis.place == "Landkreis Saalfeld-Rudolstadt"
    assert local_service(directory_db, "Saalfeld") is None  # own office, not (yet) confirmed – not the Kreis


@pytest.mark.parametrize("text", [
    "Borna",              # town in the directory, no gewerbe entry
    "Landkreis Leipzig",  # a Landkreis without an entry
    "Sachsen",            # a Land: use land_portal()
    "München",            # outside the three Länder
    "Atlantis",           # unknown
    "",
])
def test_no_entry_gives_none(directory_db: Path, text: str) -> None:
    assert local_service(directory_db, text) is None


def test_unknown_service_gives_none(directory_db: Path) -> None:
    assert local_service(directory_db, "Dresden", service="hundesteuer") is None


def test_every_kreisfreie_stadt_has_a_gewerbe_link_of_its_own_land(directory_db: Path) -> None:
    with sqlite3.connect(directory_db) as conn:
        cities = conn.execute("SELECT name, land FROM regions WHERE art = 'kreisfreie Stadt'").fetchall()
    assert len(cities) == 11
    for name, land in cities:
        found = local_service(directory_db, name)
        assert found is not None, name
        assert (found.place, found.land) == (name, land)


@pytest.mark.parametrize("land", LAENDER)
def test_land_portal_is_the_fallback_for_each_land(directory_db: Path, land: str) -> None:
    portal = land_portal(directory_db, land)
    assert portal is not None and portal.land == land and portal.place == land
    assert portal.url.startswith("https://")


def test_no_land_portal_outside_the_region(directory_db: Path) -> None:
    assert land_portal(directory_db, "Bayern") is None


def test_every_link_is_https_and_belongs_to_the_land_of_its_place() -> None:
    d = load_directory()
    land_of = {(p.name, p.kind): p.land for p in d.places}
    assert d.services
    for link in d.services:
        assert link.url.startswith("https://") and link.source.startswith("https://"), link.where
        assert land_of[(link.place, link.kind)] == link.land, link.where
        assert not (link.homepage_only and link.online), link.where


def _edit(data: Path, file: str, old: str, new: str) -> int:
    """Replace ``old`` once; return the 1-based line where it stood."""
    path = data / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file}"
    line = text[:text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return line


def test_http_url_is_refused_with_file_and_line(data_copy: Path, tmp_path: Path) -> None:
    line = _edit(data_copy, "kreise-sachsen.yml", "url: https://www.bautzen.de/", "url: http://www.bautzen.de/")
    with pytest.raises(DirectoryError, match=rf"kreise-sachsen\.yml:{line}: „url“ muss eine vollständige https"):
        build(tmp_path / "x.db", data_copy)


def test_missing_source_is_refused_with_the_line_of_the_block(data_copy: Path, tmp_path: Path) -> None:
    text = (data_copy / "kreise-thueringen.yml").read_text(encoding="utf-8")
    block = text.index("    gewerbe:\n", text.index("  - name: Gera\n"))
    block_line = text[:block].count("\n") + 1
    source = text.index("      source: ", block)
    end = text.index("\n", source) + 1
    (data_copy / "kreise-thueringen.yml").write_text(text[:source] + text[end:], encoding="utf-8")
    with pytest.raises(DirectoryError, match=rf"kreise-thueringen\.yml:{block_line}: Pflichtfeld\(er\) fehlen: source"):
        build(tmp_path / "x.db", data_copy)


def test_online_must_be_yes_or_no_and_verified_a_month(data_copy: Path, tmp_path: Path) -> None:
    line = _edit(data_copy, "laender.yml", "      online: false\n", "      online: vielleicht\n")
    with pytest.raises(DirectoryError, match=rf"laender\.yml:{line}: „online“ muss true oder false sein"):
        build(tmp_path / "x.db", data_copy)


def test_unknown_field_in_a_block_is_refused(data_copy: Path, tmp_path: Path) -> None:
    line = _edit(data_copy, "kreise-sachsen-anhalt.yml", "      nur_startseite: true\n", "      telefon: \"0345 1\"\n")
    with pytest.raises(DirectoryError, match=rf"kreise-sachsen-anhalt\.yml:{line}: „telefon“ ist hier unbekannt"):
        build(tmp_path / "x.db", data_copy)


def test_rebuilt_directory_is_picked_up_without_restart(data_copy: Path, tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    build(db, data_copy)
    assert local_service(db, "Borna") is None
    _edit(data_copy, "kreise-sachsen.yml", "      - Borna\n",
          "      - name: Borna\n        gewerbe:\n          url: https://www.borna.de\n          online: false\n"
          "          nur_startseite: true\n          source: https://www.borna.de\n          verified: 2026-12\n")
    build(db, data_copy)
    found = local_service(db, "Borna")
    assert found is not None and found.url == "https://www.borna.de" and found.land == "Sachsen"
