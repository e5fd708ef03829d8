"""PostgreSQL or Redis restarts while the bot runs: it recovers by itself.

Own throwaway servers (tests/e2e/own_services.py), so the restart hurts nobody else. A
message sent while the server is down is answered once it is back (the stores retry for
~6 s), and the conversation goes on where it was: the contact form still waits for the
place. Every user message ends up in PostgreSQL once.
"""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path
from typing import Iterator, List

import psycopg2
import pytest

from bot import messages
from bot.serve import Stack, start_stack
from tests.conftest import say, stack_settings, texts
from tests.e2e.own_services import OwnPostgres, OwnRedis

pytestmark = pytest.mark.e2e

OUTAGE_S = 1.5


@pytest.fixture(scope="module")
def services() -> Iterator[tuple]:
    postgres, cache = OwnPostgres(), OwnRedis()
    try:
        yield postgres, cache
    finally:
        postgres.remove()
        cache.remove()


@pytest.fixture(scope="module")
def stack(services: tuple, model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    postgres, cache = services
    settings = stack_settings(tmp_path_factory.mktemp("restarts"), database_url=postgres.url(),
                              redis_url=cache.url)
    running = start_stack(settings, model_path)
    yield running
    running.stop()


def say_during_outage(stack: Stack, user: str, text: str, stop, start) -> str:
    """Stop the server, send ``text`` while it is down, start it again; the reply's text."""
    replies: List[str] = []
    stop()
    sender = threading.Thread(target=lambda: replies.append(texts(say(stack, user, text))))
    sender.start()
    time.sleep(OUTAGE_S)
    start()
    sender.join(timeout=60)
    return replies[0]


def user_texts(database_url: str, user: str) -> List[str]:
    with psycopg2.connect(database_url) as db, db.cursor() as cursor:
        cursor.execute("SELECT data::json->>'text' FROM events WHERE sender_id = %s "
                       "AND type_name = 'user' ORDER BY id", (user,))
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.parametrize("which", ["postgres", "redis"])
def test_bot_recovers_from_a_restart(which: str, services: tuple, stack: Stack) -> None:
    postgres, cache = services
    server = postgres if which == "postgres" else cache
    user = f"restart-{which}-{uuid.uuid4().hex[:6]}"
    assert "Gründungslotse" in texts(say(stack, user, "Hallo"))
    assert "Ort" in texts(say(stack, user, "Ich möchte persönlich beraten werden"))

    answer = say_during_outage(stack, user, "Borna", server.stop, server.start)

    assert answer != messages.TECHNICAL_PROBLEM
    assert "Landkreis Leipzig" in answer  # the form remembered what it had asked
    assert "Chatbot" in texts(say(stack, user, "bist du ein bot?"))
    assert user_texts(postgres.url(), user) == [
        "Hallo", "Ich möchte persönlich beraten werden", "Borna", "bist du ein bot?"]
