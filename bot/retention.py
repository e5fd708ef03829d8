"""Bounded retention for stored conversations (DSGVO).

Deletes tracker events older than ``GL_RETENTION_DAYS`` (default 30) from the SQL
tracker store, SQLite or PostgreSQL alike. Runs at every start of ``bot serve`` / ``bot.cluster`` and
then once a day while they run (:class:`DailyPurge`), so a bot that is never restarted still forgets.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from typing import Optional

import sqlalchemy as sa

from bot.config import Settings

DEFAULT_RETENTION_DAYS = 30
PURGE_INTERVAL_S = 24 * 3600
logger = logging.getLogger(__name__)


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


@dataclass
class DailyPurge:
    """Call :meth:`run_if_due` from a supervision loop: purges once per ``interval`` seconds."""

    settings: Settings
    interval: float = PURGE_INTERVAL_S
    next_run: float = field(default_factory=lambda: time.monotonic() + PURGE_INTERVAL_S)

    def run_if_due(self, now: Optional[float] = None) -> Optional[int]:
        now = time.monotonic() if now is None else now
        if now < self.next_run:
            return None
        self.next_run = now + self.interval
        try:
            removed = purge_old_conversations(self.settings)
        except Exception as error:  # noqa: BLE001 – the bot keeps serving; the next day tries again
            logger.error("retention purge failed: %s", type(error).__name__)
            return None
        if removed:
            print(f"Aufbewahrungsfrist: {removed} alte Gesprächsereignisse gelöscht.", flush=True)
        return removed
