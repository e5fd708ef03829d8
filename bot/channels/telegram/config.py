"""Settings of the Telegram bridge, read from the environment.

| Variable | Default | Meaning |
| --- | --- | --- |
| ``TELEGRAM_BOT_TOKEN`` | – (required) | token from @BotFather |
| ``TELEGRAM_API_BASE_URL`` | ``https://api.telegram.org/bot`` | Bot API base (tests: an emulator) |
| ``TELEGRAM_RASA_URL`` | ``http://$GL_HOST:$GL_RASA_PORT`` | the bot's REST channel |
| ``TELEGRAM_RASA_TIMEOUT`` | ``60`` | seconds to wait for the bot's answer |
| ``TELEGRAM_WEBHOOK_URL`` | – | set ⇒ webhook mode with this public HTTPS URL, else long polling |
| ``TELEGRAM_WEBHOOK_LISTEN`` | ``127.0.0.1`` | address of the local webhook server (behind a reverse proxy) |
| ``TELEGRAM_WEBHOOK_PORT`` | ``8088`` | its port |
| ``TELEGRAM_WEBHOOK_SECRET`` | random per start | secret Telegram sends in ``X-Telegram-Bot-Api-Secret-Token`` |
| ``TELEGRAM_POLL_INTERVAL`` | ``0`` | pause between two ``getUpdates`` calls (long polling) |
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from typing import Mapping, Optional
from urllib.parse import urlparse

from bot.config import load_settings

DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts


class ConfigError(ValueError):
    """A setting is missing or invalid; the message names the variable (never its value)."""


@dataclass(frozen=True)
class TelegramSettings:
    token: str
    api_base_url: str
    rasa_url: str
    rasa_timeout: float
    webhook_url: Optional[str]
    webhook_listen: str
    webhook_port: int
    webhook_secret: str
    poll_interval: float
    log_level: str = "INFO"

    @property
    def webhook(self) -> bool:
        return bool(self.webhook_url)

    @property
    def webhook_path(self) -> str:
        """Path the local server answers on: the path of the public URL."""
        return urlparse(self.webhook_url or "").path or "/"

    def __repr__(self) -> str:  # never print the token or the secret
        return (f"TelegramSettings(api_base_url={self.api_base_url!r}, rasa_url={self.rasa_url!r}, "
                f"webhook={self.webhook}, token=***)")


def _get(env: Mapping[str, str], name: str, default: str = "") -> str:
    return (env.get(name) or "").strip() or default


def _number(env: Mapping[str, str], name: str, default: str, kind: type = float) -> float:
    raw = _get(env, name, default)
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{name} muss eine Zahl sein") from None
    if value < 0:
        raise ConfigError(f"{name} darf nicht negativ sein")
    return value


def load_telegram_settings(env: Optional[Mapping[str, str]] = None) -> TelegramSettings:
    """Read the ``TELEGRAM_*`` variables; raise :class:`ConfigError` if unusable."""
    env = os.environ if env is None else env
    token = _get(env, "TELEGRAM_BOT_TOKEN")
    if not token:
        raise ConfigError("TELEGRAM_BOT_TOKEN fehlt (Token vom @BotFather)")
    if any(char.isspace() for char in token) or "/" in token:
        raise ConfigError("TELEGRAM_BOT_TOKEN hat ein ungültiges Format")

    webhook_url = _get(env, "TELEGRAM_WEBHOOK_URL") or None
    if webhook_url:
        parsed = urlparse(webhook_url)
        if parsed.scheme not in ("https", "http") or not parsed.hostname:
            raise ConfigError("TELEGRAM_WEBHOOK_URL muss eine vollständige URL sein (https://…)")
    secret = _get(env, "TELEGRAM_WEBHOOK_SECRET") or secrets.token_urlsafe(32)
    if not _SECRET_PATTERN.match(secret):
        raise ConfigError("TELEGRAM_WEBHOOK_SECRET: 1–256 Zeichen aus A–Z, a–z, 0–9, _ und -")

    return TelegramSettings(
        token=token,
        api_base_url=_get(env, "TELEGRAM_API_BASE_URL", DEFAULT_API_BASE_URL),
        rasa_url=_get(env, "TELEGRAM_RASA_URL", load_settings().rasa_url).rstrip("/"),
        rasa_timeout=float(_number(env, "TELEGRAM_RASA_TIMEOUT", "60")),
        webhook_url=webhook_url,
        webhook_listen=_get(env, "TELEGRAM_WEBHOOK_LISTEN", "127.0.0.1"),
        webhook_port=int(_number(env, "TELEGRAM_WEBHOOK_PORT", "8088", int)),
        webhook_secret=secret,
        poll_interval=float(_number(env, "TELEGRAM_POLL_INTERVAL", "0")),
        log_level=_get(env, "GL_LOG_LEVEL", "INFO").upper(),
    )
