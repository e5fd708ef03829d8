"""Console settings from the environment (``GL_REDAKTION_*``), next to the bot's own settings."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from bot.config import PROJECT_ROOT, Settings, load_settings

DEFAULT_PORT = 8081


def _env(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


@dataclass(frozen=True)
class ConsoleSettings:
    """Everything the console needs; build with :func:`load_console_settings`."""

    bot: Settings
    root: Path
    host: str
    port: int
    database_url: str
    secret_key: str
    idle_minutes: int = 30
    absolute_hours: int = 10
    secure_cookies: bool = False
    max_failed_logins: int = 5
    lock_minutes: int = 15
    try_timeout_minutes: int = 15

    @property
    def inbox_db(self) -> Path:
        explicit = os.environ.get("GL_INBOX_DB", "").strip()
        return Path(explicit) if explicit else self.bot.state_dir / "inbox.db"


def database_url(bot: Settings) -> str:
    """``GL_REDAKTION_DATABASE_URL``; else the production database (``GL_DATABASE_URL``);
    else ``<state dir>/redaktion.db`` (SQLite)."""
    explicit = os.environ.get("GL_REDAKTION_DATABASE_URL", "").strip()
    if explicit:
        return explicit
    if bot.database_url:
        return bot.database_url
    return f"sqlite:///{bot.state_dir / 'redaktion.db'}"


def secret_key(state_dir: Path) -> str:
    """``GL_REDAKTION_SECRET`` or a random key kept in ``<state dir>/redaktion-secret`` (mode 600)."""
    explicit = os.environ.get("GL_REDAKTION_SECRET", "").strip()
    if explicit:
        return explicit
    path = state_dir / "redaktion-secret"
    if path.exists():
        return path.read_text().strip()
    state_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def console_port() -> int:
    """``GL_REDAKTION_PORT`` (default 8081; 0 = console off)."""
    return int(_env("GL_REDAKTION_PORT", str(DEFAULT_PORT)))


def load_console_settings(bot: Optional[Settings] = None, root: Path = PROJECT_ROOT) -> ConsoleSettings:
    bot = bot or load_settings()
    return ConsoleSettings(
        bot=bot, root=root, host=bot.host, port=console_port(),
        database_url=database_url(bot), secret_key=secret_key(bot.state_dir),
        idle_minutes=int(_env("GL_REDAKTION_SESSION_MINUTES", "30")),
        absolute_hours=int(_env("GL_REDAKTION_SESSION_MAX_HOURS", "10")),
        secure_cookies=_env("GL_REDAKTION_SECURE_COOKIES", "0") in ("1", "true", "ja"),
        try_timeout_minutes=int(_env("GL_REDAKTION_TRY_MINUTES", "15")),
    )
