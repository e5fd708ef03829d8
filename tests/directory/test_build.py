"""The directory database: coverage counted, every entry sourced, broken files named with file:line."""

import sqlite3
from pathlib import Path

import pytest

from bot.directory.build import build, fingerprint, main
from bot.directory.yaml_source import DirectoryError

EXPECTED_KREISE = {  # Landkreise + kreisfreie Städte
    "Sachsen": (10, 3),
    "Sachsen-Anhalt": (11, 3),
    "Thüringen": (17, 5),
}


def rows(db: Path, sql: str, *args: object) -> list:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, args).fetchall()


@pytest.mark.parametrize("land", sorted(EXPECTED_KREISE))
def test_every_kreis_and_kreisfreie_stadt_has_its_wirtschaftsfoerderung(directory_db: Path, land: str) -> None:
    landkreise, staedte = EXPECTED_KREISE[land]
    counts = dict(rows(directory_db, "SELECT art, COUNT(*) FROM regions WHERE kind = 'kreis' AND land = ?"
                                     " GROUP BY art", land))
    assert counts == {"Landkreis": landkreise, "kreisfreie Stadt": staedte}
    without = rows(directory_db, """
        SELECT r.name FROM regions r WHERE r.kind = 'kreis' AND r.land = ? AND NOT EXISTS (
          SELECT 1 FROM org_regions x JOIN organisations o ON o.id = x.org_id
          WHERE x.region_id = r.id AND o.kind = 'wirtschaftsfoerderung')""", land)
    assert without == []


@pytest.mark.parametrize("kind", ["IHK", "HWK"])
def test_every_kreis_belongs_to_exactly_one_kammer(directory_db: Path, kind: str) -> None:
    counts = rows(directory_db, """
        SELECT r.name, COUNT(o.id) FROM regions r
        LEFT JOIN org_regions x ON x.region_id = r.id
        LEFT JOIN organisations o ON o.id = x.org_id AND o.kind = ?
        WHERE r.kind = 'kreis' GROUP BY r.id""", kind)
    assert len(counts) == 49
    assert {name: n for name, n in counts if n != 1} == {}
    assert rows(directory_db, "SELECT COUNT(*) FROM organisations WHERE kind = ?", kind)[0][0] == 8


def test_funding_banks_and_portals_for_each_land(directory_db: Path) -> None:
    for land in EXPECTED_KREISE:
        kinds = {k for (k,) in rows(directory_db, "SELECT kind FROM organisations WHERE land = ?", land)}
        assert "Förderbank" in kinds, land
        assert kinds & {"Einheitlicher Ansprechpartner", "Landesportal"}, land


def test_university_founder_services_and_networks(directory_db: Path) -> None:
    institutions = rows(directory_db, "SELECT COUNT(*), COUNT(DISTINCT land) FROM institutions")[0]
    assert institutions[0] >= 15 and institutions[1] == 3
    networks = {n for (n,) in rows(directory_db, "SELECT name FROM organisations WHERE kind = 'netzwerk'")}
    for expected in ("SpinLab", "HighTech Startbahn", "futureSAX", "ThEx", "Univations"):
        assert any(expected in name for name in networks), expected


def test_gazetteer_has_the_towns_and_their_variants(directory_db: Path) -> None:
    towns = rows(directory_db, "SELECT COUNT(*) FROM regions WHERE kind = 'gemeinde'")[0][0]
    assert towns >= 130
    def kreis_of(alias: str) -> str:
        return rows(directory_db, """SELECT COALESCE(k.name, r.name) FROM place_names p
            JOIN regions r ON r.id = p.region_id LEFT JOIN regions k ON k.id = r.kreis_id
            WHERE p.alias = ?""", alias)[0][0]
    assert kreis_of("borna") == "Landkreis Leipzig"
    assert kreis_of("bitterfeld wolfen") == "Landkreis Anhalt-Bitterfeld"
    assert kreis_of("halle") == "Halle (Saale)"
    assert kreis_of("dessau") == "Dessau-Roßlau"


def test_every_entry_has_source_and_verified_month(directory_db: Path) -> None:
    for table in ("organisations", "regions", "programmes"):
        bad = rows(directory_db, f"SELECT origin FROM {table} WHERE source NOT LIKE 'http%'"
                                 f" OR verified NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]'")
        assert bad == [], table
    assert rows(directory_db, "SELECT COUNT(*) FROM contact_points WHERE website NOT LIKE 'http%'")[0][0] == 0


def test_programme_table_covers_federal_and_all_laender(directory_db: Path) -> None:
    areas = {a for (a,) in rows(directory_db, "SELECT area FROM programmes")}
    assert {"Bund", "Sachsen", "Sachsen-Anhalt", "Thüringen"} <= areas


def _break(data: Path, file: str, old: str, new: str) -> None:
    path = data / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_entry_without_source_is_refused_with_file_and_line(data_copy: Path, tmp_path: Path) -> None:
    text = (data_copy / "kammern.yml").read_text(encoding="utf-8")
    first_source = next(line for line in text.splitlines() if line.strip().startswith("source:"))
    _break(data_copy, "kammern.yml", first_source + "\n", "")
    with pytest.raises(DirectoryError, match=r"kammern\.yml:\d+: Pflichtfeld\(er\) fehlen: source"):
        build(tmp_path / "x.db", data_copy)


def test_invalid_yaml_names_the_line(data_copy: Path, tmp_path: Path) -> None:
    (data_copy / "programme.yml").write_text("programme:\n  - name: [kaputt\n", encoding="utf-8")
    with pytest.raises(DirectoryError, match=r"programme\.yml:\d+: ungültiges YAML"):
        build(tmp_path / "x.db", data_copy)


def test_unknown_kreis_in_kammer_is_refused(data_copy: Path, tmp_path: Path) -> None:
    _break(data_copy, "kammern.yml", "Landkreis Nordsachsen]", "Landkreis Nordsachsn]")
    with pytest.raises(DirectoryError, match="Nordsachsn"):
        build(tmp_path / "x.db", data_copy)


def test_broken_file_leaves_the_working_database_untouched(data_copy: Path, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture) -> None:
    db = tmp_path / "directory.db"
    build(db, data_copy)
    before = db.read_bytes()
    _break(data_copy, "hochschulen.yml", "ort: Jena", "ort: Atlantis")
    assert main(["--db", str(db), "--data", str(data_copy)]) == 1
    assert "Atlantis" in capsys.readouterr().err
    assert db.read_bytes() == before


def test_fingerprint_changes_with_the_data(data_copy: Path) -> None:
    before = fingerprint(data_copy)
    _break(data_copy, "themen.yml", "Coworking", "Co-Working")
    assert fingerprint(data_copy) != before


def test_invalid_yaml_in_a_kreise_file_names_the_line(data_copy: Path, tmp_path: Path) -> None:
    path = data_copy / "kreise-sachsen.yml"
    lines = path.read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if line.strip().startswith("- name:") and i > 5)
    lines[number] = lines[number] + ": [kaputt"  # a typo a person makes: unclosed bracket
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DirectoryError, match=r"kreise-sachsen\.yml:\d+: ungültiges YAML"):
        build(tmp_path / "x.db", data_copy)


@pytest.mark.parametrize("file", ["kreise-thueringen.yml", "kammern.yml"])
def test_invalid_utf8_byte_names_file_and_line(data_copy: Path, tmp_path: Path, file: str,
                                               capsys: pytest.CaptureFixture) -> None:
    path = data_copy / file
    raw = path.read_bytes()
    third_line = raw.index(b"\n", raw.index(b"\n", raw.index(b"\n") + 1) + 1) + 1
    path.write_bytes(raw[:third_line] + b"# Stra\xdfe (Latin-1)\n" + raw[third_line:])
    with pytest.raises(DirectoryError, match=rf"{file.replace('.', '[.]')}:4: .*UTF-8"):
        build(tmp_path / "x.db", data_copy)
    # the command line reports it like any other data error: exit 1, no traceback
    assert main(["--db", str(tmp_path / "y.db"), "--data", str(data_copy)]) == 1
    err = capsys.readouterr().err
    assert f"{file}:4" in err and "Traceback" not in err
