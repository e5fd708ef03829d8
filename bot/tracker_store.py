"""Rasa's SQL tracker store, made to survive a database restart and to save with less work.

Same tables, same rows as ``rasa.core.tracker_store.SQLTrackerStore`` (configured in both
endpoints files as ``type: bot.tracker_store.ResilientSQLTrackerStore``). Differences:

* **Restart of PostgreSQL:** Rasa's engine keeps pooled connections that are dead after a
  database restart; the next use fails, and Rasa's ``FailSafeTrackerStore`` then answers
  from an empty in-memory tracker (the conversation is forgotten, the turn not stored).
  Here a read or save that fails on the connection is repeated for up to ~6 s (a restart
  takes 1–3 s); SQLAlchemy drops the whole pool on the first disconnect, so the repeat
  gets a fresh connection. A save is safe to repeat: it writes only the events after
  those already stored. (``pool_pre_ping`` would do the same with one extra round trip
  per checkout – py-spy: 3 % of a replica's CPU – so it is off.)
* **Less work per message:** events are written in one multi-row INSERT and read as their
  JSON column only, not as ORM objects (py-spy: ORM bookkeeping was ~7 % of Rasa's CPU).
* **SQLite:** write-ahead log and ``synchronous=NORMAL`` – a commit no longer waits for
  fsync, which blocked Rasa's event loop for every user (docs/messwerte.md).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any, Awaitable, Callable, Optional, Text, TypeVar

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

logger = logging.getLogger(__name__)

T = TypeVar("T")

RETRY_DELAYS_S = (0.2, 0.5, 1.0, 2.0, 2.5)  # ~6 s in all: longer than a restart takes


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class ResilientSQLTrackerStore(SQLTrackerStore):
    """See module docstring."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        options = create_engine_kwargs(url)
        self.engine = sa.create_engine(url, **options)
        if url.get_backend_name() == "sqlite":
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def _with_retries(self, what: str, operation: Callable[[], Awaitable[T]]) -> T:
        for attempt, delay in enumerate((*RETRY_DELAYS_S, None)):
            try:
                return await operation()
            except (sa.exc.OperationalError, sa.exc.InterfaceError) as error:
                if delay is None:
                    raise
                logger.warning("tracker store: %s failed (%s), attempt %d, retrying in %.1f s",
                               what, type(error).__name__, attempt + 1, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        return await self._with_retries("retrieve", lambda: self._retrieve(sender_id, False))

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        return await self._with_retries("retrieve", lambda: self._retrieve(conversation_id, True))

    async def _retrieve(
        self, sender_id: Text, fetch_events_from_all_sessions: bool
    ) -> Optional[DialogueStateTracker]:
        with self.session_scope() as session:
            rows = (self._event_query(session, sender_id, fetch_events_from_all_sessions)
                    .with_entities(self.SQLEvent.data).all())
        if not rows or not self.domain:
            return None
        events = [json.loads(data) for (data,) in rows]
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        await self._with_retries("save", lambda: self._insert_new_events(tracker))

    async def _insert_new_events(self, tracker: DialogueStateTracker) -> None:
        with self.session_scope() as session:
            rows = []
            for event in self._additional_events(session, tracker):
                data = event.as_dict()
                rows.append(dict(
                    sender_id=tracker.sender_id,
                    type_name=event.type_name,
                    timestamp=data.get("timestamp"),
                    intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                    action_name=data.get("name"),
                    data=json.dumps(data),
                ))
            if rows:
                session.execute(self.SQLEvent.__table__.insert().values(rows))
            session.commit()
