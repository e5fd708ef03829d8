"""Callback requests (handover to a human): stored only with consent, deleted after a bounded time.

A separate SQLite file (``GL_CALLBACK_DB``), never rebuilt from data files – it holds what
founders entrusted to us. Staff read it with ``bot rueckrufe``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import List, Optional

SCHEMA = """
CREATE TABLE IF NOT EXISTS callback_requests (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    consent_text TEXT NOT NULL,
    name TEXT NOT NULL,
    contact TEXT NOT NULL,
    topic TEXT NOT NULL,
    place TEXT NOT NULL,
    responsible TEXT,
    done_at TEXT
);
"""


@dataclass(frozen=True)
class CallbackRequest:
    id: int
    created_at: str
    name: str
    contact: str
    topic: str
    place: str
    responsible: Optional[str]
    done_at: Optional[str]


def _connect(db_path: Path) -> sqlite3.Connection:
    db_path.parent.mkdir(parents=True, exist_ok=True)
    db_path.touch(mode=0o600, exist_ok=True)  # personal data: readable by the bot's user only
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    conn.executescript(SCHEMA)
    return conn


def store(db_path: Path, *, consent_text: str, name: str, contact: str, topic: str, place: str,
          responsible: Optional[str], retention_days: int) -> int:
    """Insert one request (the caller has the founder's explicit consent); returns its number."""
    now = datetime.now(timezone.utc)
    with _connect(db_path) as conn:
        purge(conn, retention_days, now)
        cur = conn.execute(
            "INSERT INTO callback_requests (created_at, consent_text, name, contact, topic, place, responsible)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (now.isoformat(timespec="seconds"), consent_text, name, contact, topic, place, responsible))
        return int(cur.lastrowid)


def purge(conn: sqlite3.Connection, retention_days: int, now: Optional[datetime] = None) -> int:
    cutoff = ((now or datetime.now(timezone.utc)) - timedelta(days=retention_days)).isoformat(timespec="seconds")
    return conn.execute("DELETE FROM callback_requests WHERE created_at < ?", (cutoff,)).rowcount


def list_requests(db_path: Path, retention_days: int, include_done: bool = False) -> List[CallbackRequest]:
    with _connect(db_path) as conn:
        purge(conn, retention_days)
        query = "SELECT * FROM callback_requests" + ("" if include_done else " WHERE done_at IS NULL")
        rows = conn.execute(query + " ORDER BY id").fetchall()
    return [CallbackRequest(r["id"], r["created_at"], r["name"], r["contact"], r["topic"], r["place"],
                            r["responsible"], r["done_at"]) for r in rows]


def mark_done(db_path: Path, request_id: int) -> bool:
    """Staff called back: the personal data is deleted, only the fact remains until retention ends."""
    with _connect(db_path) as conn:
        cur = conn.execute(
            "UPDATE callback_requests SET done_at = ?, name = '–', contact = '–' WHERE id = ? AND done_at IS NULL",
            (datetime.now(timezone.utc).isoformat(timespec="seconds"), request_id))
        return cur.rowcount == 1
