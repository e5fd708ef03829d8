"""Shared fixtures: the trained model, free loopback ports, a running bot stack."""

from __future__ import annotations

import dataclasses
import socket
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import requests

from bot.config import Settings, load_settings
from bot.serve import Stack, start_stack
from bot.train import ensure_model


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
