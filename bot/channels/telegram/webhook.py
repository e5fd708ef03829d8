"""Webhook mode for production: Telegram pushes updates to a public HTTPS URL.

A small aiohttp server (aiohttp comes with Rasa; python-telegram-bot's own webhook server
would need tornado) listens on ``TELEGRAM_WEBHOOK_LISTEN:TELEGRAM_WEBHOOK_PORT`` behind the
reverse proxy that terminates TLS for ``TELEGRAM_WEBHOOK_URL``. It accepts a POST only with
the secret Telegram was given in ``setWebhook`` (header ``X-Telegram-Bot-Api-Secret-Token``)
and hands the update to the python-telegram-bot application, which answers as in polling
mode. ``GET /healthz`` tells a load balancer the bridge is up.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import signal
from typing import Optional

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.channels.telegram.bridge import ALLOWED_UPDATES, initialize_with_retry
from bot.channels.telegram.config import TelegramSettings
from bot.channels.telegram.retry import STARTUP_POLICY, call_with_retry

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1024 * 1024


def webhook_app(application: Application, settings: TelegramSettings) -> web.Application:
    """The aiohttp app: POST <webhook path> (updates), GET /healthz."""

    async def receive(request: web.Request) -> web.Response:
        secret = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(secret.encode(), settings.webhook_secret.encode()):
            logger.warning("telegram: webhook call without the right secret refused")
            return web.Response(status=403)
        try:
            update = Update.de_json(await request.json(), application.bot)
        except Exception as error:  # malformed JSON or not an update
            logger.warning("telegram: unreadable webhook update (%s)", type(error).__name__)
            return web.Response(status=400)
        await application.update_queue.put(update)
        return web.Response(status=200)

    async def health(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application(client_max_size=MAX_UPDATE_BYTES)
    app.router.add_post(settings.webhook_path, receive)
    app.router.add_get("/healthz", health)
    return app


async def run_webhook(
    application: Application, settings: TelegramSettings, stop: Optional[asyncio.Event] = None
) -> None:
    """Register the webhook, serve until SIGTERM/SIGINT (or ``stop``), shut down cleanly."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        try:
            loop.add_signal_handler(signum, stop.set)
        except (NotImplementedError, RuntimeError):  # not the main thread
            pass
    runner = web.AppRunner(webhook_app(application, settings), access_log=None)
    # what Application.run_polling(bootstrap_retries=-1) does around its loop
    await initialize_with_retry(application)
    try:
        if application.post_init:
            await application.post_init(application)
        await runner.setup()
        site = web.TCPSite(runner, settings.webhook_listen, settings.webhook_port)
        await site.start()
        await call_with_retry(
            lambda: application.bot.set_webhook(
                url=settings.webhook_url or "", secret_token=settings.webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
            ),
            what="setWebhook", idempotent=True, policy=STARTUP_POLICY,
        )
        await application.start()
        logger.info("telegram: webhook server on %s:%d", settings.webhook_listen,
                    settings.webhook_port)
        await stop.wait()
        await application.stop()
    finally:
        await runner.cleanup()
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)
