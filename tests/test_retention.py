"""Retention purge on a real SQLite tracker-store file."""

import dataclasses
import sqlite3
import time
from pathlib import Path

from bot.config import load_settings
from bot.retention import DailyPurge, purge_old_conversations


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


def test_a_running_bot_purges_once_a_day(tmp_path: Path) -> None:
    store = tmp_path / "tracker.db"
    make_store(store, [time.time() - 40 * 86400])
    settings = dataclasses.replace(load_settings(), tracker_db=store, database_url=None)
    daily = DailyPurge(settings, interval=86400, next_run=1000.0)
    assert daily.run_if_due(now=999.0) is None  # not yet
    assert daily.run_if_due(now=1000.0) == 1
    make_store_row = sqlite3.connect(store)
    with make_store_row as db:
        db.execute("INSERT INTO events (sender_id, timestamp, data) VALUES ('u', ?, '{}')", (time.time() - 40 * 86400,))
    make_store_row.close()
    assert daily.run_if_due(now=1000.0 + 3600) is None  # once a day, not on every loop
    assert daily.run_if_due(now=1000.0 + 86400) == 1
