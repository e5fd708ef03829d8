"""Secrets of a running bot: Rasa's API token and the action server's shared secret.

Each comes from its environment variable or else from a random value kept in the state
directory (mode 600, created once). They are passed to the processes through their
environment (readable only by the bot's user), never on a command line (``ps`` shows those
to everyone).
"""

from __future__ import annotations

import os
import secrets

from bot.config import Settings


def _state_secret(settings: Settings, env_name: str, file_name: str) -> str:
    """``$env_name`` or a random token kept in ``<state dir>/<file_name>`` (mode 600)."""
    token = os.environ.get(env_name, "").strip()
    if token:
        return token
    path = settings.state_dir / file_name
    if path.exists():
        return path.read_text().strip()
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(token)
    return token


def api_token(settings: Settings) -> str:
    """``GL_API_TOKEN`` or a random token kept in ``<state dir>/api-token`` (mode 600)."""
    return _state_secret(settings, "GL_API_TOKEN", "api-token")


def action_token(settings: Settings) -> str:
    """Shared secret Rasa sends to the action server (``GL_ACTION_TOKEN`` or ``<state dir>/action-token``)."""
    return _state_secret(settings, "GL_ACTION_TOKEN", "action-token")
