"""Inbox for the editorial team: unanswered questions and 👍/👎 ratings of FAQ answers.

One SQLite file (``GL_INBOX_DB``, default ``<state dir>/inbox.db``). Texts are masked
(:func:`bot.staff.anonymise.mask`) before they are stored; no sender ids are stored, ever.
Rows older than ``GL_INBOX_RETENTION_DAYS`` (default 90) are deleted.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

from bot.config import PROJECT_ROOT
from bot.staff.anonymise import mask

KINDS = ("unbeantwortet", "bewertung")
STATUSES = ("offen", "zugeordnet", "verworfen")
RATINGS = ("gut", "schlecht")
DEFAULT_RETENTION_DAYS = 90

SCHEMA = """
CREATE TABLE IF NOT EXISTS inbox_items (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    closest_topic TEXT,
    status TEXT NOT NULL DEFAULT 'offen',
    assigned_topic TEXT
);
CREATE TABLE IF NOT EXISTS ratings (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    topic TEXT NOT NULL,
    rating TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class InboxItem:
    id: int
    created_at: str
    kind: str
    text: str
    closest_topic: Optional[str]
    status: str
    assigned_topic: Optional[str]


def inbox_db_path() -> Path:
    """``GL_INBOX_DB`` or ``<GL_STATE_DIR or PROJECT_ROOT/var>/inbox.db``."""
    explicit = os.environ.get("GL_INBOX_DB", "").strip()
    if explicit:
        return Path(explicit)
    state_dir = os.environ.get("GL_STATE_DIR", "").strip() or str(PROJECT_ROOT / "var")
    return Path(state_dir) / "inbox.db"


def retention_days() -> int:
    """``GL_INBOX_RETENTION_DAYS`` (default 90)."""
    return int(os.environ.get("GL_INBOX_RETENTION_DAYS", "").strip() or DEFAULT_RETENTION_DAYS)


def _now() -> datetime:
    return datetime.now(timezone.utc)


@contextmanager
def _connect(db: Path) -> Iterator[sqlite3.Connection]:
    """A connection that commits on success and is always closed."""
    db.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(db, timeout=10)
    try:
        conn.row_factory = sqlite3.Row
        conn.executescript(SCHEMA)
        with conn:
            yield conn
    finally:
        conn.close()


def _purge(conn: sqlite3.Connection, days: int, now: Optional[datetime] = None) -> int:
    cutoff = ((now or _now()) - timedelta(days=days)).isoformat(timespec="seconds")
    removed = conn.execute("DELETE FROM inbox_items WHERE created_at < ?", (cutoff,)).rowcount
    return removed + conn.execute("DELETE FROM ratings WHERE created_at < ?", (cutoff,)).rowcount


def purge(db: Path, days: int, now: Optional[datetime] = None) -> int:
    """Delete items and ratings older than ``days``; return how many rows went."""
    with _connect(db) as conn:
        return _purge(conn, days, now)


def add_item(db: Path, kind: str, text: str, closest_topic: Optional[str]) -> Optional[int]:
    """Store a question (masked here); returns its ID, or None if nothing is left to store."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    masked = mask(text)
    if not masked:
        return None
    with _connect(db) as conn:
        _purge(conn, retention_days())
        cur = conn.execute(
            "INSERT INTO inbox_items (created_at, kind, text, closest_topic, status) VALUES (?, ?, ?, ?, 'offen')",
            (_now().isoformat(timespec="seconds"), kind, masked, closest_topic))
        return int(cur.lastrowid)


def add_rating(db: Path, topic: str, rating: str) -> None:
    """Count one 👍 (``gut``) or 👎 (``schlecht``) for an FAQ topic."""
    if rating not in RATINGS:
        raise ValueError(f"unknown rating {rating!r}")
    with _connect(db) as conn:
        _purge(conn, retention_days())
        conn.execute("INSERT INTO ratings (created_at, topic, rating) VALUES (?, ?, ?)",
                     (_now().isoformat(timespec="seconds"), topic, rating))


def _item(row: sqlite3.Row) -> InboxItem:
    return InboxItem(row["id"], row["created_at"], row["kind"], row["text"], row["closest_topic"],
                     row["status"], row["assigned_topic"])


def open_items(db: Path) -> List[InboxItem]:
    """Items with status ``offen``, oldest first."""
    with _connect(db) as conn:
        rows = conn.execute("SELECT * FROM inbox_items WHERE status = 'offen' ORDER BY id").fetchall()
    return [_item(r) for r in rows]


def get_item(db: Path, item_id: int) -> Optional[InboxItem]:
    with _connect(db) as conn:
        row = conn.execute("SELECT * FROM inbox_items WHERE id = ?", (item_id,)).fetchone()
    return _item(row) if row else None


def set_status(db: Path, item_id: int, status: str, topic: Optional[str] = None) -> bool:
    """Set ``status`` (and the assigned topic); False if the item does not exist."""
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    with _connect(db) as conn:
        cur = conn.execute("UPDATE inbox_items SET status = ?, assigned_topic = ? WHERE id = ?",
                           (status, topic, item_id))
        return cur.rowcount == 1


def rating_counts(db: Path) -> Dict[str, Tuple[int, int]]:
    """topic → (number of 👍, number of 👎)."""
    with _connect(db) as conn:
        rows = conn.execute(
            "SELECT topic, SUM(rating = 'gut') AS gut, SUM(rating = 'schlecht') AS schlecht "
            "FROM ratings GROUP BY topic ORDER BY topic").fetchall()
    return {r["topic"]: (int(r["gut"] or 0), int(r["schlecht"] or 0)) for r in rows}
