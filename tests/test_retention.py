"""Retention purge on a real SQLite tracker-store file."""

import dataclasses
import sqlite3
import time
from pathlib import Path

from bot.config import load_settings
from bot.retention import purge_old_conversations


def make_store(path: Path, timestamps: list) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, timestamp FLOAT, data TEXT)")
        db.executemany(
            "INSERT INTO events (sender_id, timestamp, data) VALUES (?, ?, '{}')",
            [("u", ts) for ts in timestamps],
        )


def test_only_events_older_than_the_retention_period_are_deleted(tmp_path: Path) -> None:
    now = time.time()
    store = tmp_path / "tracker.db"
    make_store(store, [now - 40 * 86400, now - 31 * 86400, now - 29 * 86400, now - 60])
    settings = dataclasses.replace(load_settings(), tracker_db=store, database_url=None)
    assert purge_old_conversations(settings, days=30, now=now) == 2
    with sqlite3.connect(store) as db:
        assert db.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 2


def test_missing_store_is_fine(tmp_path: Path) -> None:
    settings = dataclasses.replace(load_settings(), tracker_db=tmp_path / "none.db", database_url=None)
    assert purge_old_conversations(settings) == 0
    assert not (tmp_path / "none.db").exists()
