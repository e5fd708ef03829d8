"""bot.lock_store.AtomicRedisLockStore against the machine's real Redis (own key prefix).

Several store instances (= several Rasa processes, each with its own connection) work on
one conversation from several threads at once.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from typing import List

import pytest
import redis
from rasa.core.lock_store import LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.lock_store import AtomicRedisLockStore

REDIS = dict(host="127.0.0.1", port=6379, db=0)


@pytest.fixture
def prefix() -> str:
    name = f"gltest{uuid.uuid4().hex[:10]}"
    yield name
    client = redis.Redis(**REDIS)
    for key in client.scan_iter(f"{name}:*"):
        client.delete(key)


def stores(prefix: str, count: int, **kwargs) -> List[AtomicRedisLockStore]:
    return [AtomicRedisLockStore(key_prefix=prefix, **REDIS, **kwargs) for _ in range(count)]


def in_threads(count: int, work) -> None:
    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)


def test_tickets_drawn_at_once_by_several_processes_are_unique(prefix: str) -> None:
    workers = stores(prefix, 4)
    drawn: List[int] = []

    def draw(i: int) -> None:
        for _ in range(50):
            drawn.append(workers[i].issue_ticket("anna"))

    in_threads(4, draw)
    assert len(drawn) == 200 and len(set(drawn)) == 200


def test_rasas_redis_lock_store_draws_duplicate_tickets(prefix: str) -> None:
    """The cause of issue 15/1, shown on Rasa's own class: same setup, numbers repeat."""
    workers = [RedisLockStore(key_prefix=prefix, **REDIS) for _ in range(4)]
    drawn: List[int] = []

    def draw(i: int) -> None:
        for _ in range(50):
            drawn.append(workers[i].issue_ticket("anna"))

    in_threads(4, draw)
    assert len(set(drawn)) < len(drawn)


def test_only_one_turn_at_a_time_and_in_ticket_order(prefix: str) -> None:
    workers = stores(prefix, 3)
    inside: List[int] = []
    overlaps: List[str] = []
    turns: List[int] = []

    async def turn(store: AtomicRedisLockStore, n: int) -> None:
        async with store.lock("bert"):
            inside.append(n)
            if len(inside) > 1:
                overlaps.append(f"{inside}")
            turns.append(n)
            await asyncio.sleep(0.005)
            inside.remove(n)

    def run(i: int) -> None:
        async def all_turns() -> None:
            await asyncio.gather(*(turn(workers[i], i * 100 + k) for k in range(15)))
        asyncio.run(all_turns())

    in_threads(3, run)
    assert not overlaps
    assert len(turns) == 45
    assert not redis.Redis(**REDIS).exists(f"{prefix}:lock:bert")  # last ticket took the key


def test_ticket_of_a_dead_process_expires_the_living_keep_theirs(prefix: str) -> None:
    dead, alive = stores(prefix, 2, lifetime=0.4)
    dead.issue_ticket("clara")  # never served, never refreshed: the process died

    async def wait_and_work() -> float:
        started = time.perf_counter()
        async with alive.lock("clara"):
            await asyncio.sleep(0.6)  # longer than the lifetime: refreshed meanwhile
            assert alive._refresh("clara", 1) == 1  # still ours
        return time.perf_counter() - started

    waited = asyncio.run(wait_and_work())
    assert 0.3 < waited < 5


def test_waiter_whose_ticket_vanished_gets_lock_error(prefix: str) -> None:
    (store,) = stores(prefix, 1)
    first = store.issue_ticket("dora")
    second = store.issue_ticket("dora")
    store.finish_serving("dora", second)  # e.g. removed by an operator

    async def wait() -> None:
        await store._wait_for_turn("dora", second)

    with pytest.raises(LockError):
        asyncio.run(wait())
    store.cleanup("dora", first)


def test_built_from_the_endpoint_config_like_rasa_does(prefix: str) -> None:
    config = EndpointConfig.from_dict({
        "type": "bot.lock_store.AtomicRedisLockStore", "url": "127.0.0.1", "port": 6379,
        "db": 0, "key_prefix": prefix, "lifetime": 7,
    })
    from rasa.core.lock_store import LockStore

    store = LockStore.create(config)
    assert isinstance(store, AtomicRedisLockStore)
    assert store.lifetime == 7 and store.key_prefix == f"{prefix}:lock:"
