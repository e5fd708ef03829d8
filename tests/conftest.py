"""Shared fixtures: the trained model, free loopback ports, a running bot stack."""

from __future__ import annotations

import dataclasses
import shutil
import socket
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List

import psycopg2
import pytest
import requests

from bot.config import PROJECT_ROOT, Settings, load_settings
from bot.serve import Stack, start_stack
from bot.train import ensure_model


PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"


@contextmanager
def fresh_database(prefix: str = "gl_e2e") -> Iterator[str]:
    """A fresh database on the machine's PostgreSQL (unique name: sessions share the server), dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(PG_ADMIN)
    admin.autocommit = True
    admin.cursor().execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def copy_project(target: Path, paths: Iterable[str]) -> None:
    """Copy parts of this checkout (files and folders, without caches) – staff tests edit the copy."""
    for rel in paths:
        source = PROJECT_ROOT / rel
        if source.is_dir():
            shutil.copytree(source, target / rel, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / rel)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stack_settings(state_dir: Path, **overrides: Any) -> Settings:
    """Settings for a test stack: own ports and own SQLite file under ``state_dir``."""
    base = load_settings()
    values: Dict[str, Any] = dict(
        rasa_port=free_port(), action_port=free_port(), state_dir=state_dir,
        tracker_db=state_dir / "tracker.db", database_url=None,
        callback_db=state_dir / "rueckrufe.db",
    )
    values.update(overrides)
    return dataclasses.replace(base, **values)


def say(stack: Stack, sender: str, text: Any, timeout: float = 60) -> List[Dict[str, Any]]:
    """Send one message over the REST channel and return the bot's messages."""
    reply = requests.post(
        f"{stack.settings.rasa_url}/webhooks/rest/webhook",
        json={"sender": sender, "message": text}, timeout=timeout,
    )
    assert reply.status_code == 200, reply.text
    return reply.json()


def texts(messages: List[Dict[str, Any]]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


@pytest.fixture(scope="session")
def model_path() -> Path:
    """The model for the current data; trains only if data/config changed."""
    return ensure_model()


@pytest.fixture(scope="module")
def stack(model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Real action server + Rasa server on loopback with an embedded SQLite store."""
    running = start_stack(stack_settings(tmp_path_factory.mktemp("state")), model_path)
    yield running
    running.stop()
