"""„Ausprobieren“: a temporary Rasa server with the candidate model on a free loopback port.

Own tracker file (test chats never mix with real conversations), the real action server, stopped
after publish, discard or ``GL_REDAKTION_TRY_MINUTES`` without use.
"""

from __future__ import annotations

import dataclasses
import secrets
import shutil
import socket
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import requests

from bot.config import Settings
from bot.serve import Stack
from bot.tokens import action_token

START_TIMEOUT = 600


def free_port(host: str) -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class TryServer:
    """At most one candidate server per console."""

    def __init__(self, bot: Settings, idle_minutes: int) -> None:
        self.bot = bot
        self.idle_seconds = idle_minutes * 60
        self.stack: Optional[Stack] = None
        self.model: Optional[Path] = None
        self.last_used = 0.0
        self._lock = threading.Lock()
        self._watch = threading.Thread(target=self._watchdog, name="ausprobieren-watchdog", daemon=True)
        self._watch.start()

    @property
    def running(self) -> bool:
        return self.stack is not None

    def start(self, model: Path) -> None:
        """Start the server with ``model`` (stopping an older one); returns when it answers."""
        self.stop()
        state = self.bot.state_dir / "ausprobieren"
        shutil.rmtree(state, ignore_errors=True)
        state.mkdir(parents=True)
        settings = dataclasses.replace(self.bot, rasa_port=free_port(self.bot.host), state_dir=state,
                                       tracker_db=state / "tracker.db", database_url=None)
        # the real action server checks the bot's action secret (its state folder, not ours)
        stack = Stack(settings=settings, token=secrets.token_urlsafe(24),
                      extra_env={"GL_ACTION_TOKEN": action_token(self.bot)})
        stack.start_rasa(model, timeout=START_TIMEOUT)
        with self._lock:
            self.stack, self.model, self.last_used = stack, model, time.monotonic()

    def say(self, sender: str, text: str) -> List[Dict[str, Any]]:
        with self._lock:
            stack = self.stack
            self.last_used = time.monotonic()
        if stack is None:
            raise RuntimeError("Der Testserver läuft nicht (mehr).")
        reply = requests.post(f"{stack.settings.rasa_url}/webhooks/rest/webhook",
                              json={"sender": sender, "message": text}, timeout=60)
        reply.raise_for_status()
        return list(reply.json())

    def stop(self) -> None:
        with self._lock:
            stack, self.stack, self.model = self.stack, None, None
        if stack is not None:
            stack.stop()

    def _watchdog(self) -> None:
        while True:
            time.sleep(10)
            if self.stack is not None and time.monotonic() - self.last_used > self.idle_seconds:
                self.stop()
