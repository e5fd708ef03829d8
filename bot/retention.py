"""Bounded retention for stored conversations (DSGVO).

Deletes tracker events older than ``GL_RETENTION_DAYS`` (default 30) from the SQL
tracker store, SQLite or PostgreSQL alike. Runs at every start of ``bot/serve.py``.
"""

from __future__ import annotations

import os
import time

import sqlalchemy as sa

from bot.config import Settings

DEFAULT_RETENTION_DAYS = 30


def retention_days() -> int:
    return int(os.environ.get("GL_RETENTION_DAYS", "") or DEFAULT_RETENTION_DAYS)


def database_url(settings: Settings) -> str:
    if settings.production:
        return settings.database_url or ""
    return f"sqlite:///{settings.tracker_db}"


def purge_old_conversations(settings: Settings, days: int | None = None, now: float | None = None) -> int:
    """Delete events older than ``days``; return how many rows went."""
    if not settings.production and not settings.tracker_db.exists():
        return 0
    cutoff = (now or time.time()) - (days if days is not None else retention_days()) * 86400
    engine = sa.create_engine(database_url(settings))
    try:
        if not sa.inspect(engine).has_table("events"):
            return 0
        with engine.begin() as connection:
            result = connection.execute(
                sa.text("DELETE FROM events WHERE timestamp < :cutoff"), {"cutoff": cutoff}
            )
            return int(result.rowcount or 0)
    finally:
        engine.dispose()
