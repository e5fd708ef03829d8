"""``python -m bot.channels.telegram``: run the Telegram bridge.

Long polling by default (no public URL needed); webhook mode when ``TELEGRAM_WEBHOOK_URL``
or ``--webhook-url`` is set. The bot itself (``make run``) must be reachable at
``TELEGRAM_RASA_URL`` (default: the local REST channel). See :mod:`.config` for all settings.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from typing import List, Optional

from bot.channels.telegram.config import ConfigError, load_telegram_settings

# Loggers that would print the bot token (it is part of every Bot API URL) or update
# contents at INFO/DEBUG: kept at WARNING whatever GL_LOG_LEVEL says.
QUIET_LOGGERS = ("httpx", "httpcore", "telegram", "aiohttp.access")


class RedactingFormatter(logging.Formatter):
    """Last line of defence: the token never reaches the log, even inside a traceback
    (python-telegram-bot's InvalidToken message contains it)."""

    def __init__(self, fmt: str, secrets: List[str]) -> None:
        super().__init__(fmt)
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


def configure_logging(level: str, secrets: List[str]) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets))
    logging.basicConfig(level=getattr(logging, level, logging.INFO), handlers=[handler])
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("telegram.ext.Application").setLevel(logging.INFO)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.channels.telegram",
        description="Telegram-Anbindung des Gründungslotsen (Token in TELEGRAM_BOT_TOKEN).",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--webhook-url", help="öffentliche HTTPS-URL: Webhook statt Long Polling "
                                            "(sonst TELEGRAM_WEBHOOK_URL)")
    mode.add_argument("--polling", action="store_true",
                      help="Long Polling erzwingen, auch wenn TELEGRAM_WEBHOOK_URL gesetzt ist")
    args = parser.parse_args(argv)

    env = dict(os.environ)
    if args.webhook_url:
        env["TELEGRAM_WEBHOOK_URL"] = args.webhook_url
    if args.polling:
        env.pop("TELEGRAM_WEBHOOK_URL", None)
    try:
        settings = load_telegram_settings(env)
    except ConfigError as error:
        print(f"Telegram-Anbindung: {error}", file=sys.stderr)
        return 2
    configure_logging(settings.log_level, [settings.token, settings.webhook_secret])

    from telegram.error import InvalidToken

    from bot.channels.telegram.bridge import ALLOWED_UPDATES, Bridge, initialize_with_retry

    bridge = Bridge(settings)
    try:
        if settings.webhook:
            from bot.channels.telegram.webhook import run_webhook

            asyncio.run(run_webhook(bridge.build_application(with_updater=False), settings))
        else:
            application = bridge.build_application()
            # run_polling uses this loop; initialize first (waits for Telegram, see bridge)
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            loop.run_until_complete(initialize_with_retry(application))
            application.run_polling(
                poll_interval=settings.poll_interval,
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=False,
                bootstrap_retries=-1,  # deleteWebhook at start: keep trying
            )
    except InvalidToken:
        print("Telegram-Anbindung: Telegram lehnt TELEGRAM_BOT_TOKEN ab (Token prüfen).",
              file=sys.stderr)
        return 1
    logging.getLogger(__name__).info("telegram: bridge stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
