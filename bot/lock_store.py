"""Conversation lock for several Rasa processes: Rasa's ticket lock, made atomic in Redis.

Rasa 3.6's ``RedisLockStore`` keeps a conversation's ticket queue as one JSON value and
changes it with separate GET and SET calls. With two Sanic workers or two replicas this
loses updates (issue 15/1, measured: 16 of 600 user messages lost with 5 in flight):

* two processes issue a ticket at the same time, both read ``[7]`` and both write
  ``[7, 8]`` – two turns of one conversation hold ticket 8 and run at once;
* one process removes its finished ticket while another adds one: the later SET wins,
  the other ticket vanishes; its owner waits until the lock expires (timeouts) or finds
  the lock deleted and raises ``LockError``;
* tickets expire ``TICKET_LOCK_LIFETIME`` (60 s) after they were *issued*, also while
  their turn is still running – the next turn then starts alongside it.

Two turns at once lose messages because ``SQLTrackerStore.save`` writes "the tracker's
events after the number already stored": the second save skips as many of its own events
as the first one has just written, its user message among them.

This store keeps Rasa's queue semantics and storage format but changes the queue only
inside Redis transactions (WATCH/MULTI/EXEC, retried on conflict); ticket numbers never
repeat (a counter stored with the queue); a process refreshes its ticket while it waits
and while its turn runs, so only the tickets of crashed processes expire; it waits for
its turn in short steps instead of Rasa's 1 s. Configured in ``endpoints.production.yml``
(``type: bot.lock_store.AtomicRedisLockStore``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Callable, Optional, Text, Tuple, TypeVar

import redis
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_LIFETIME_S = 20.0  # a ticket not refreshed for this long belongs to a dead process
RETRY_DELAYS_S = (0.2, 0.5, 1.0, 2.0, 2.5)  # Redis restarting: ~6 s, then the turn fails
DEFAULT_POLL_S = 0.01  # first wait between two looks at the queue; doubles up to MAX_POLL_S
MAX_POLL_S = 0.1


class AtomicRedisLockStore(RedisLockStore):
    """Ticket lock in Redis whose every change is one transaction (see module docstring)."""

    def __init__(
        self, endpoint_config: Optional[EndpointConfig] = None,
        lifetime: float = DEFAULT_LIFETIME_S, **kwargs: Any,
    ) -> None:
        """Rasa passes ``endpoint_config`` (``url`` = host, ``port``, ``db``, ``key_prefix``,
        ``lifetime`` …); tests may pass the keywords of ``RedisLockStore`` directly."""
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs}
            lifetime = float(kwargs.pop("lifetime", lifetime) or lifetime)
        super().__init__(**kwargs)
        self.lifetime = float(lifetime)

    # -- one transaction per change ------------------------------------------------

    def _key(self, conversation_id: Text) -> str:
        return self.key_prefix + conversation_id

    def _change(
        self, conversation_id: Text,
        change: Callable[[TicketLock, int], Tuple[int, T]],
    ) -> T:
        """Read the queue, apply ``change(lock, last_issued) -> (last_issued, result)``, write it
        back – all or nothing; repeated by redis-py if another process changed it meanwhile."""
        key = self._key(conversation_id)

        def transaction(pipe: Any) -> T:
            raw = pipe.get(key)
            data = json.loads(raw) if raw else {}
            lock = TicketLock.from_dict(data) if data else TicketLock(conversation_id)
            lock.conversation_id = conversation_id
            last_issued = int(data.get("last_issued", -1))
            lock.remove_expired_tickets()
            last_issued, result = change(lock, last_issued)
            pipe.multi()
            if lock.tickets:
                stored = json.loads(lock.dumps())
                stored["last_issued"] = last_issued
                # the key outlives its newest ticket a little, never forever
                pipe.set(key, json.dumps(stored), px=int(self.lifetime * 2000))
            else:
                pipe.delete(key)
            return result

        return self.red.transaction(transaction, key, value_from_callable=True)

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = 0) -> int:
        """Append a ticket with a number never used before in this queue."""

        def issue(lock: TicketLock, last_issued: int) -> Tuple[int, int]:
            number = max(last_issued, lock.last_issued) + 1
            lock.tickets.append(Ticket(number, time.time() + self.lifetime))
            return number, number

        try:
            return self._change(conversation_id, issue)
        except Exception as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def _refresh(self, conversation_id: Text, ticket_number: int) -> Optional[int]:
        """Extend our ticket; return the number now being served, None if our ticket is gone."""

        def refresh(lock: TicketLock, last_issued: int) -> Tuple[int, Optional[int]]:
            for ticket in lock.tickets:
                if ticket.number == ticket_number:
                    ticket.expires = time.time() + self.lifetime
                    return last_issued, lock.now_serving
            return last_issued, None

        return self._change(conversation_id, refresh)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        def finish(lock: TicketLock, last_issued: int) -> Tuple[int, None]:
            lock.remove_ticket_for(ticket_number)
            return last_issued, None

        self._change(conversation_id, finish)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Remove our ticket; the queue's key goes with its last ticket (same transaction)."""
        try:
            self.finish_serving(conversation_id, ticket_number)
        except Exception as error:  # Redis away: the ticket expires by itself
            logger.warning("lock: could not release a ticket (%s); it expires in %.0f s",
                           type(error).__name__, self.lifetime)

    def update_lock(self, conversation_id: Text) -> None:
        self._change(conversation_id, lambda lock, last: (last, None))

    # -- waiting for one's turn ---------------------------------------------------

    @asynccontextmanager
    async def lock(
        self, conversation_id: Text, lock_lifetime: float = 0, wait_time_in_seconds: float = 0
    ) -> AsyncGenerator[TicketLock, None]:
        """Hold the conversation's lock for the body; Rasa's arguments are ignored (our
        tickets live as long as their process refreshes them)."""
        ticket = await self._retrying(lambda: self.issue_ticket(conversation_id))
        keeper = asyncio.ensure_future(self._keep_alive(conversation_id, ticket))
        try:
            yield await self._wait_for_turn(conversation_id, ticket)
        finally:
            keeper.cancel()
            self.cleanup(conversation_id, ticket)

    async def _wait_for_turn(self, conversation_id: Text, ticket: int) -> TicketLock:
        pause = DEFAULT_POLL_S
        while True:
            serving = await self._retrying(lambda: self._refresh(conversation_id, ticket))
            if serving is None:
                raise LockError(f"Ticket for conversation '{conversation_id}' expired while waiting.")
            if serving == ticket:
                return TicketLock(conversation_id)
            await asyncio.sleep(pause)
            pause = min(pause * 2, MAX_POLL_S)

    async def _retrying(self, call: Callable[[], T]) -> T:
        """``call`` again while Redis cannot be reached (a restart takes a second or two);
        redis-py reconnects by itself on the next command."""
        for delay in (*RETRY_DELAYS_S, None):
            try:
                return call()
            except (LockError, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as error:
                cause = error.__cause__ if isinstance(error, LockError) else error
                if delay is None or not isinstance(
                        cause, (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)):
                    raise
                logger.warning("lock: Redis not reachable (%s), retrying in %.1f s",
                               type(cause).__name__, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    async def _keep_alive(self, conversation_id: Text, ticket: int) -> None:
        """Refresh the ticket every quarter lifetime while we wait or work."""
        while True:
            await asyncio.sleep(self.lifetime / 4)
            try:
                if self._refresh(conversation_id, ticket) is None:
                    logger.warning("lock: a ticket expired during its turn (event loop blocked?)")
                    return
            except Exception as error:
                logger.warning("lock: could not refresh a ticket (%s)", type(error).__name__)
