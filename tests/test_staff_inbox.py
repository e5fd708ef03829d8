"""Inbox for the editorial team: masking, the SQLite store and `bot inbox` (list, assign, dismiss)."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Tuple

import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.staff.anonymise import mask
from bot.staff.inbox import group_similar, insert_example, main
from bot.staff.inbox_store import (add_item, add_rating, get_item, inbox_db_path, open_items, purge,
                                   rating_counts, retention_days, set_status)

TOPIC = "gewerbeanmeldung"


# --- masking ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Meine Mail: anna.schmidt+gl@example.de", "Meine Mail: [E-Mail]"),
    ("Rufen Sie mich an: +49 341 1234567", "Rufen Sie mich an: [Telefon]"),
    ("Tel 0341 123456 oder 0171/1234567", "Tel [Telefon] oder [Telefon]"),
    ("Nummer 0341-12 34 56.", "Nummer [Telefon]."),
    ("(0341) 123456", "[Telefon]"),
    ("ich heiße Anna Schmidt und will gründen", "ich heiße [Name] und will gründen"),
    ("Ich heisse jörg müller-lüdenscheidt", "Ich heisse [Name]"),
    ("Mein Name ist Anna.", "Mein Name ist [Name]."),
    ("Ich bin Anna Schmidt aus Jena", "Ich bin [Name] aus Jena"),
    ("Herr Meier vom Gewerbeamt sagt", "Herr [Name] vom Gewerbeamt sagt"),
    ("Frau Dr. Schulze-Berg hat geholfen", "Frau [Name] hat geholfen"),
    ("Danke! Viele Grüße, Tom", "Danke! Viele Grüße, [Name]"),
    ("MfG Jörg Müller", "MfG [Name]"),
])
def test_personal_data_is_masked(text: str, expected: str) -> None:
    assert mask(text) == expected


@pytest.mark.parametrize("text", [
    "Wie melde ich ein Gewerbe an?",
    "Ich bin Student und möchte gründen",
    "Ich bin Freiberufler in Leipzig",
    "Grüße aus Leipzig",
    "Bekomme ich 100000 Euro Förderung für 2025?",
    "Termin am 01.02.2026 um 10 Uhr",
    "meine Frau möchte ein Café eröffnen",
])
def test_ordinary_questions_stay_unchanged(text: str) -> None:
    assert mask(text) == text


def test_control_characters_are_removed_and_length_capped() -> None:
    assert mask("Gewerbe\x00 an\x07melden\n?") == "Gewerbe an melden ?"
    long = mask("Förderung " * 100)
    assert len(long) <= 500 and long.startswith("Förderung")


# --- store ------------------------------------------------------------------------------------

def test_settings_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("GL_INBOX_DB", raising=False)
    monkeypatch.delenv("GL_INBOX_RETENTION_DAYS", raising=False)
    monkeypatch.setenv("GL_STATE_DIR", str(tmp_path))
    assert inbox_db_path() == tmp_path / "inbox.db" and retention_days() == 90
    monkeypatch.setenv("GL_INBOX_DB", str(tmp_path / "x.db"))
    monkeypatch.setenv("GL_INBOX_RETENTION_DAYS", "7")
    assert inbox_db_path() == tmp_path / "x.db" and retention_days() == 7


def test_store_masks_keeps_no_sender_and_changes_status(tmp_path: Path) -> None:
    db = tmp_path / "inbox.db"
    item_id = add_item(db, "unbeantwortet", "Ich heiße Anna Schmidt, Frage zu Steuern", "steuern")
    item = get_item(db, item_id)
    assert item and item.text == "Ich heiße [Name], Frage zu Steuern" and item.status == "offen"
    with sqlite3.connect(db) as conn:
        columns = {row[1] for table in ("inbox_items", "ratings")
                   for row in conn.execute(f"PRAGMA table_info({table})")}
    assert not any("sender" in c for c in columns)
    assert set_status(db, item_id, "zugeordnet", "steuern") and open_items(db) == []
    assert get_item(db, item_id).assigned_topic == "steuern"  # type: ignore[union-attr]
    assert not set_status(db, 999, "verworfen")
    with pytest.raises(ValueError):
        set_status(db, item_id, "kaputt")


def test_ratings_are_counted_per_topic(tmp_path: Path) -> None:
    db = tmp_path / "inbox.db"
    for topic, rating in [("a", "gut"), ("a", "gut"), ("a", "schlecht"), ("b", "schlecht")]:
        add_rating(db, topic, rating)
    assert rating_counts(db) == {"a": (2, 1), "b": (0, 1)}


def test_old_rows_are_purged(tmp_path: Path) -> None:
    db = tmp_path / "inbox.db"
    add_item(db, "unbeantwortet", "alte Frage", None)
    add_rating(db, "a", "gut")
    assert purge(db, 90) == 0
    assert purge(db, 90, now=datetime.now(timezone.utc) + timedelta(days=91)) == 2
    assert open_items(db) == [] and rating_counts(db) == {}


# --- bot inbox --------------------------------------------------------------------------------

@pytest.fixture()
def project(tmp_path: Path) -> Tuple[Path, Path]:
    """(root with copies of two real FAQ files, inbox db)."""
    faq = tmp_path / "root" / "data" / "nlu" / "faq"
    faq.mkdir(parents=True)
    for name in (TOPIC, "freiberuf_oder_gewerbe"):
        shutil.copy(PROJECT_ROOT / "data" / "nlu" / "faq" / f"{name}.yml", faq / f"{name}.yml")
    return tmp_path / "root", tmp_path / "inbox.db"


def inbox(project: Tuple[Path, Path], *args: str) -> int:
    root, db = project
    return main([*args, "--root", str(root), "--db", str(db)])


def topic_file(project: Tuple[Path, Path]) -> Path:
    return project[0] / "data" / "nlu" / "faq" / f"{TOPIC}.yml"


def examples(path: Path) -> list:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [line[2:] for line in data["nlu"][0]["examples"].splitlines()]


def test_empty_inbox(project: Tuple[Path, Path], capsys: pytest.CaptureFixture) -> None:
    assert inbox(project) == 0
    assert "Keine offenen Fragen im Eingang." in capsys.readouterr().out


def test_list_groups_similar_questions_largest_first(project: Tuple[Path, Path],
                                                     capsys: pytest.CaptureFixture) -> None:
    _, db = project
    add_item(db, "unbeantwortet", "Was kostet ein Steuerberater?", "steuern")
    first = add_item(db, "unbeantwortet", "Wie lange dauert die Gewerbeanmeldung", TOPIC)
    add_item(db, "bewertung", "wie lange dauert die gewerbeanmeldung in Leipzig", TOPIC)
    add_rating(db, TOPIC, "gut")
    add_rating(db, TOPIC, "schlecht")
    assert inbox(project) == 0
    out = capsys.readouterr().out
    assert "Gruppe 1 – 2 ähnliche Fragen" in out and "Gruppe 2 – 1 Frage" in out
    assert out.index("Gewerbeanmeldung") < out.index("Steuerberater")
    assert f"{first}  " in out and "unbeantwortet" in out and "👎" in out
    assert f"nächstes Thema: {TOPIC}" in out
    assert f"{TOPIC}: 👍 1  👎 1" in out
    assert [len(g) for g in group_similar(open_items(db))] == [2, 1]


def test_assign_adds_exactly_one_line(project: Tuple[Path, Path], capsys: pytest.CaptureFixture) -> None:
    _, db = project
    path = topic_file(project)
    before = path.read_bytes()
    item_id = add_item(db, "unbeantwortet", "Muss ich mein Foodtruck-Gewerbe in jeder Stadt anmelden?", TOPIC)
    assert inbox(project, "assign", str(item_id), f"faq/{TOPIC}") == 0
    out = capsys.readouterr().out
    assert "bot check" in out and "bot train" in out and "bot reload" in out
    after = path.read_bytes()
    old_lines, new_lines = before.decode().splitlines(True), after.decode().splitlines(True)
    assert len(new_lines) == len(old_lines) + 1
    added = [i for i, line in enumerate(new_lines) if "Foodtruck" in line]
    assert len(added) == 1
    index = added[0]
    assert new_lines[:index] + new_lines[index + 1:] == old_lines  # the rest byte-identical
    assert new_lines[index] == "      - Muss ich mein Foodtruck-Gewerbe in jeder Stadt anmelden?\n"
    assert examples(path)[-1] == "Muss ich mein Foodtruck-Gewerbe in jeder Stadt anmelden?"
    assert get_item(db, item_id).status == "zugeordnet"  # type: ignore[union-attr]
    assert open_items(db) == []


def test_unknown_topic_changes_nothing(project: Tuple[Path, Path], capsys: pytest.CaptureFixture) -> None:
    _, db = project
    path = topic_file(project)
    before = path.read_bytes()
    item_id = add_item(db, "unbeantwortet", "Gewerbe anmelden als Schausteller", TOPIC)
    assert inbox(project, "assign", str(item_id), "gewerbeanmeldng") == 1
    err = capsys.readouterr().err
    assert "gibt es nicht" in err and TOPIC in err
    assert inbox(project, "assign", str(item_id), "../../etc/passwd") == 1
    assert path.read_bytes() == before and get_item(db, item_id).status == "offen"  # type: ignore[union-attr]


def test_assign_twice_and_duplicates_are_refused(project: Tuple[Path, Path], capsys: pytest.CaptureFixture) -> None:
    _, db = project
    path = topic_file(project)
    first = add_item(db, "unbeantwortet", "Gewerbe anmelden als Schausteller", TOPIC)
    same = add_item(db, "unbeantwortet", "gewerbe anmelden als schausteller!", TOPIC)
    existing = add_item(db, "unbeantwortet", "Wie melde ich ein Gewerbe an?", TOPIC)
    other_topic = add_item(db, "unbeantwortet", "Bin ich Freiberufler oder Gewerbetreibender?", TOPIC)
    assert inbox(project, "assign", str(first), TOPIC) == 0
    after_first = path.read_bytes()
    assert inbox(project, "assign", str(first), TOPIC) == 1
    assert "schon zugeordnet" in capsys.readouterr().err
    for item_id in (same, existing, other_topic):
        assert inbox(project, "assign", str(item_id), TOPIC) == 1
        assert "steht schon als Beispiel" in capsys.readouterr().err
    assert path.read_bytes() == after_first


def test_masked_text_is_refused(project: Tuple[Path, Path], capsys: pytest.CaptureFixture) -> None:
    _, db = project
    path = topic_file(project)
    before = path.read_bytes()
    item_id = add_item(db, "unbeantwortet", "Ich heiße Anna Schmidt, wie melde ich mein Gewerbe an", TOPIC)
    assert inbox(project, "assign", str(item_id), TOPIC) == 1
    assert "[Name]" in capsys.readouterr().err
    assert path.read_bytes() == before and get_item(db, item_id).status == "offen"  # type: ignore[union-attr]


def test_dismiss_and_unknown_id(project: Tuple[Path, Path], capsys: pytest.CaptureFixture) -> None:
    _, db = project
    item_id = add_item(db, "unbeantwortet", "Was ist der Sinn des Lebens?", None)
    assert inbox(project, "dismiss", str(item_id)) == 0
    assert get_item(db, item_id).status == "verworfen"  # type: ignore[union-attr]
    assert inbox(project, "dismiss", str(item_id)) == 1
    assert inbox(project, "dismiss", "4711") == 1
    assert "4711 gibt es nicht" in capsys.readouterr().err
    assert inbox(project, "assign", "4711", TOPIC) == 1
    assert inbox(project, "dismiss", "abc") == 1


def test_write_failure_restores_the_file(project: Tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    _, db = project
    path = topic_file(project)
    before = path.read_bytes()
    item_id = add_item(db, "unbeantwortet", "Gewerbe anmelden als Imker", TOPIC)
    monkeypatch.setattr("bot.staff.inbox._verify", lambda *a: (_ for _ in ()).throw(ValueError("kaputt")))
    assert inbox(project, "assign", str(item_id), TOPIC) == 1
    assert path.read_bytes() == before and get_item(db, item_id).status == "offen"  # type: ignore[union-attr]


def test_insert_keeps_a_file_without_final_newline_valid() -> None:
    text = "nlu:\n  - intent: faq/x\n    examples: |\n      - eins\n      - zwei"
    node = yaml.compose(text).value[0][1].value[0].value[1][1]
    new = insert_example(text, node, "drei")
    assert new == text + "\n      - drei"
    assert yaml.safe_load(new)["nlu"][0]["examples"].splitlines()[-1] == "- drei"
