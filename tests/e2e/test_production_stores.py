"""Production profile for real: PostgreSQL tracker store and Redis lock store.

Both services run on loopback on this machine and on CI (docs/betrieb.md).
"""

import uuid
from pathlib import Path
from typing import Iterator

import psycopg2
import pytest
import redis

from bot.serve import start_stack
from tests.conftest import REDIS_URL, fresh_database, say, stack_settings, texts

pytestmark = pytest.mark.e2e

@pytest.fixture
def database() -> Iterator[str]:
    with fresh_database() as url:
        yield url


def lock_commands(client: redis.Redis) -> int:
    stats = client.info("commandstats")
    return sum(stats.get(f"cmdstat_{cmd}", {}).get("calls", 0) for cmd in ("set", "get", "del"))


def test_postgres_tracker_store_and_redis_lock_store(
    model_path: Path, tmp_path: Path, database: str
) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    settings = stack_settings(tmp_path, database_url=database, redis_url=REDIS_URL)
    user = f"prod-{uuid.uuid4().hex[:8]}"
    stack = start_stack(settings, model_path)
    try:
        before = lock_commands(client)
        assert "Gründungslotse" in texts(say(stack, user, "Hallo"))
        assert "Stand:" in texts(say(stack, user, "Was ist die Kleinunternehmerregelung?"))
        assert lock_commands(client) > before  # the conversation lock went through Redis
        # restart: the conversation comes back from PostgreSQL
        stack.stop("rasa")
        stack.start_rasa(model_path)
        assert "Chatbot" in texts(say(stack, user, "bist du ein mensch?"))
    finally:
        stack.stop()
    with psycopg2.connect(database) as db, db.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM events WHERE sender_id = %s AND type_name = 'user'", (user,)
        )
        assert cursor.fetchone()[0] == 3
    assert not (tmp_path / "tracker.db").exists()  # nothing went to SQLite
