"""Funding finder filters and the callback store (consent text, retention, staff marking done)."""

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bot.directory.callbacks import list_requests, mark_done, store
from bot.directory.programmes import find_programmes


def test_land_filter_keeps_that_land_and_federal(directory_db: Path) -> None:
    found = find_programmes(directory_db, land="Sachsen-Anhalt", limit=50)
    areas = {p.area for p in found}
    assert "Sachsen-Anhalt" in areas and "Bund" in areas
    assert not areas & {"Sachsen", "Thüringen", "Leipzig"}


def test_kind_and_phase_filters(directory_db: Path) -> None:
    loans = find_programmes(directory_db, kind="Kredit", limit=50)
    assert loans and all(p.kind == "Kredit" for p in loans)
    ideas = find_programmes(directory_db, phase="idee", limit=50)
    assert ideas and all("idee" in p.phases for p in ideas)


def test_regional_programmes_come_before_federal(directory_db: Path) -> None:
    found = find_programmes(directory_db, land="Thüringen", limit=50)
    first_federal = next(i for i, p in enumerate(found) if p.area == "Bund")
    assert any(p.area == "Thüringen" for p in found[:first_federal])


def test_skipped_answers_do_not_filter(directory_db: Path) -> None:
    assert len(find_programmes(directory_db, "egal", "egal", "egal", limit=100)) == \
        len(find_programmes(directory_db, limit=100))


def test_every_programme_has_link_source_and_stand(directory_db: Path) -> None:
    for p in find_programmes(directory_db, limit=100):
        assert p.link.startswith("http") and p.source.startswith("http") and p.verified


def test_callback_stored_listed_and_marked_done(tmp_path: Path) -> None:
    db = tmp_path / "rueckrufe.db"
    number = store(db, consent_text="v1", name="Anna Schmidt", contact="0341 123456", topic="Förderung",
                   place="Borna", responsible="Wirtschaftsförderung", retention_days=90)
    [request] = list_requests(db, 90)
    assert (request.id, request.name, request.place) == (number, "Anna Schmidt", "Borna")
    assert db.stat().st_mode & 0o077 == 0  # personal data: no access for group or others
    assert mark_done(db, number) and not mark_done(db, number)
    assert list_requests(db, 90) == []
    [done] = list_requests(db, 90, include_done=True)
    assert done.name == "–" and done.contact == "–"  # personal data gone once handled


def test_callbacks_older_than_retention_are_deleted(tmp_path: Path) -> None:
    db = tmp_path / "rueckrufe.db"
    store(db, consent_text="v1", name="Alt", contact="a@b.de", topic="x", place="y", responsible=None,
          retention_days=90)
    old = (datetime.now(timezone.utc) - timedelta(days=91)).isoformat(timespec="seconds")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE callback_requests SET created_at = ?", (old,))
    store(db, consent_text="v1", name="Neu", contact="n@b.de", topic="x", place="y", responsible=None,
          retention_days=90)
    assert [r.name for r in list_requests(db, 90)] == ["Neu"]
