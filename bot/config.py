"""Every runtime setting in one place, read from the environment.

Defaults are the embedded set-up: SQLite tracker store, in-memory lock store,
servers on loopback. Setting ``GL_DATABASE_URL`` switches to the production
profile (PostgreSQL tracker store + Redis lock store, see ``endpoints.production.yml``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


@dataclass(frozen=True)
class Settings:
    """Resolved settings; build with :func:`load_settings`."""

    host: str
    rasa_port: int
    action_port: int
    state_dir: Path
    tracker_db: Path
    database_url: Optional[str]
    redis_url: str
    cors_origins: List[str] = field(default_factory=list)
    max_message_chars: int = 2000
    log_level: str = "INFO"
    spacy_base: str = "auto"
    widget_port: int = 8080
    public_rasa_url: Optional[str] = None
    directory_db: Path = PROJECT_ROOT / "build" / "directory.db"
    callback_db: Path = PROJECT_ROOT / "var" / "rueckrufe.db"
    callback_retention_days: int = 90
    operator_name: str = "das Team der Wirtschaftsförderung, das diesen Assistenten betreibt"

    @property
    def production(self) -> bool:
        """True when conversations go to PostgreSQL and locks to Redis."""
        return bool(self.database_url)

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def action_url(self) -> str:
        return f"http://{self.host}:{self.action_port}/webhook"

    @property
    def browser_rasa_url(self) -> str:
        """Rasa as the website widget reaches it (``GL_PUBLIC_RASA_URL`` behind a proxy)."""
        return self.public_rasa_url or self.rasa_url


def load_settings() -> Settings:
    """Read the ``GL_*`` environment variables (documented in docs/betrieb.md)."""
    state_dir = Path(_env("GL_STATE_DIR", str(PROJECT_ROOT / "var")))
    widget_port = int(_env("GL_WIDGET_PORT", "8080"))
    return Settings(
        host=_env("GL_HOST", "127.0.0.1"),
        rasa_port=int(_env("GL_RASA_PORT", "5005")),
        action_port=int(_env("GL_ACTION_PORT", "5055")),
        state_dir=state_dir,
        tracker_db=Path(_env("GL_TRACKER_DB", str(state_dir / "tracker.db"))),
        database_url=os.environ.get("GL_DATABASE_URL", "").strip() or None,
        redis_url=_env("GL_REDIS_URL", "redis://127.0.0.1:6379/0"),
        cors_origins=_env(
            "GL_CORS_ORIGINS", f"http://localhost:{widget_port} http://127.0.0.1:{widget_port}"
        ).split(),
        max_message_chars=int(_env("GL_MAX_MESSAGE_CHARS", "2000")),
        log_level=_env("GL_LOG_LEVEL", "INFO").upper(),
        spacy_base=_env("GL_SPACY_BASE", "auto"),
        widget_port=widget_port,
        public_rasa_url=os.environ.get("GL_PUBLIC_RASA_URL", "").strip().rstrip("/") or None,
        directory_db=Path(_env("GL_DIRECTORY_DB", str(PROJECT_ROOT / "build" / "directory.db"))),
        callback_db=Path(_env("GL_CALLBACK_DB", str(state_dir / "rueckrufe.db"))),
        callback_retention_days=int(_env("GL_CALLBACK_RETENTION_DAYS", "90")),
        operator_name=_env("GL_OPERATOR_NAME", "das Team der Wirtschaftsförderung, das diesen Assistenten betreibt"),
    )
