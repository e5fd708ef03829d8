"""REST channel that never leaves a user without an answer.

Drop-in for Rasa's ``rest`` channel (same URL: ``/webhooks/rest/webhook``, same JSON).
On top of it:

* reads at most ``max_body_bytes`` of a request body (413 beyond, before parsing anything);
* refuses browser requests from origins not in ``GL_CORS_ORIGINS`` (403) – CORS alone does not
  stop a cross-site ``text/plain`` POST, it only hides the answer; requests without an
  ``Origin`` header (curl, the Telegram bridge, server-side clients) are served;
* refuses requests without a usable ``sender`` (400) instead of filing them all under one
  shared conversation;
* cleans every message (:mod:`bot.text_input`): control characters, length cap;
* passes "/intent{…}" texts only if the bot offered them as buttons (:mod:`bot.channels.payloads`);
* answers an empty or emoji-only message itself instead of running NLU on nothing;
* a message repeated with the same ``message_id`` is answered from the stored
  conversation instead of being processed twice (:mod:`bot.channels.repeat`);
* if handling produced no bot message at all (action server down, internal error),
  sends :data:`bot.messages.TECHNICAL_PROBLEM`, which names a human contact;
* logs neither message texts nor raw sender ids (DSGVO), only lengths and a hash.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import messages, rasa_speedups
from bot.channels.payloads import PayloadRules, accepted, is_intent_syntax, offered_payloads, rules_from_domain
from bot.channels.repeat import handle_once, valid_message_id
from bot.text_input import clean_message

logger = logging.getLogger(__name__)

rasa_speedups.install()  # every Rasa process of this project loads this channel

MAX_SENDER_LENGTH = 128
# A message is cut to max_chars (2,000) anyway; 128 KiB leave room for JSON escapes
# (up to 12 bytes per character) and metadata, and refuse the 96 MB that blocked everyone.
DEFAULT_MAX_BODY_BYTES = 128 * 1024
BAD_JSON = "Erwartet wird JSON: {\"sender\": \"…\", \"message\": \"…\"}"
BAD_SENDER = ("Feld „sender“ fehlt oder ist ungültig: eine Zeichenkette mit 1–128 Zeichen, "
              "die das Gespräch kennzeichnet (z. B. eine zufällige ID je Nutzer).")
FOREIGN_ORIGIN = "Diese Website darf den Chat nicht verwenden (Herkunft nicht freigegeben)."


def allowed_origins_from_env() -> List[str]:
    """``GL_CORS_ORIGINS`` (space-separated), as bot/serve.py passes it to Rasa's ``--cors`` too."""
    from bot.config import load_settings

    return list(load_settings().cors_origins)


def origin_allowed(origin: Optional[str], allowed: List[str]) -> bool:
    """No Origin header: not a browser's cross-site request. Otherwise it must be listed ("*": any)."""
    if origin is None:
        return True
    if "*" in allowed:
        return True
    normalised = origin.strip().rstrip("/").lower()
    return normalised != "null" and normalised in {a.strip().rstrip("/").lower() for a in allowed}


def body_too_large(limit: int) -> str:
    return f"Anfrage zu groß (höchstens {limit // 1024} KiB)."


def valid_sender(value: Any) -> Optional[str]:
    """The conversation id, or ``None`` if missing, empty, not a string, too long or with control chars."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or len(value) > MAX_SENDER_LENGTH or not value.isprintable():
        return None
    return value


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, read chunk by chunk; :class:`PayloadTooLarge` past ``limit`` bytes.

    The route streams (``stream=True``), so nothing beyond ``limit`` is ever buffered: a
    Content-Length over the limit fails before the first chunk, chunked uploads as soon as
    they pass it, and Sanic then closes the connection instead of draining the rest.
    """
    if request.stream is None:  # e.g. Sanic's test client with a buffered body
        if len(request.body or b"") > limit:
            raise PayloadTooLarge(body_too_large(limit))
        return request.body or b""
    request.stream.request_max_size = limit
    chunks = []
    while True:
        chunk = await request.stream.read()
        if chunk is None:
            return b"".join(chunks)
        chunks.append(chunk)


def pseudonym(sender_id: str) -> str:
    """Short stable hash for logs, so log lines can be correlated without the id."""
    return hashlib.sha256(sender_id.encode("utf-8")).hexdigest()[:10]


class GuardedRestInput(RestInput):
    """Rasa REST channel with input cleaning and a no-silence guarantee."""

    def __init__(self, max_chars: int = 2000, max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
                 allowed_origins: Optional[List[str]] = None) -> None:
        self.max_chars = int(max_chars)
        self.max_body_bytes = int(max_body_bytes)
        self.allowed_origins = list(allowed_origins) if allowed_origins is not None \
            else allowed_origins_from_env()
        self._rules: Optional[PayloadRules] = None
        self._rules_domain: Any = None

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "GuardedRestInput":
        return cls(**(credentials or {}))

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        webhook = Blueprint("guarded_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            if not origin_allowed(request.headers.get("origin"), self.allowed_origins):
                logger.info("rest: request from a foreign web origin refused")
                return response.json({"error": FOREIGN_ORIGIN}, status=403)
            try:
                body = await read_body(request, self.max_body_bytes)
            except PayloadTooLarge:
                logger.info("rest: request body over %d bytes refused", self.max_body_bytes)
                return response.json({"error": body_too_large(self.max_body_bytes)}, status=413)
            try:
                payload = json.loads(body)
            except ValueError:  # malformed JSON or not UTF-8
                payload = None
            if not isinstance(payload, dict):
                return response.json({"error": BAD_JSON}, status=400)
            sender_id = valid_sender(payload.get("sender"))
            if sender_id is None:
                logger.info("rest: request without a usable sender refused")
                return response.json({"error": BAD_SENDER}, status=400)
            agent = getattr(request.app.ctx, "agent", None)
            replies = await self.handle(on_new_message, sender_id, payload, agent)
            return response.json(replies)

        return webhook

    async def handle(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        sender_id: str,
        payload: Dict[str, Any],
        agent: Any = None,
    ) -> List[Dict[str, Any]]:
        """Run one user message through the bot and return the bot's messages."""
        clean = clean_message(payload.get("message"), self.max_chars)
        collector = CollectingOutputChannel()
        who = pseudonym(sender_id)
        if clean.empty:
            logger.info("rest: empty message from %s", who)
            await collector.send_text_message(sender_id, messages.EMPTY_MESSAGE)
            return collector.messages
        if not clean.has_words:
            logger.info("rest: message without words from %s", who)
            await collector.send_text_message(sender_id, messages.NO_WORDS)
            return collector.messages
        if is_intent_syntax(clean.text) and not await self.offered(agent, sender_id, clean.text):
            logger.info("rest: typed intent syntax from %s not passed on", who)
            await collector.send_text_message(sender_id, messages.TYPED_COMMAND)
            return collector.messages

        metadata = payload.get("metadata") if isinstance(payload.get("metadata"), dict) else None
        message_id = valid_message_id(payload.get("message_id"))
        message = UserMessage(clean.text, collector, sender_id, input_channel=self.name(),
                              metadata=metadata, message_id=message_id)
        try:
            if message_id and agent is not None and agent.is_ready():
                await handle_once(agent, message, collector)
            else:
                await on_new_message(message)
        except Exception as error:  # never let an exception reach the user as silence
            logger.error(
                "rest: handling a message from %s failed: %s", who, type(error).__name__,
                exc_info=logger.isEnabledFor(logging.DEBUG),
            )
        if not collector.messages:
            logger.warning("rest: no reply for %s, sending the technical-problem message", who)
            await collector.send_text_message(sender_id, messages.TECHNICAL_PROBLEM)
        if clean.truncated:
            logger.info("rest: truncated %d chars from %s", clean.original_length, who)
            await collector.send_text_message(sender_id, messages.message_truncated(self.max_chars))
        return collector.messages

    async def offered(self, agent: Any, sender_id: str, text: str) -> bool:
        """Did the bot offer ``text`` as a button in this conversation (and is it valid)?"""
        if agent is None or getattr(agent, "tracker_store", None) is None:
            return False
        domain = getattr(agent, "domain", None)
        if domain is not None and domain is not self._rules_domain:  # a reloaded model: new domain
            self._rules, self._rules_domain = rules_from_domain(domain), domain
        try:
            tracker = await agent.tracker_store.retrieve(sender_id)
        except Exception as error:  # noqa: BLE001 – store down: refuse, Rasa would fail anyway
            logger.warning("rest: tracker not readable for the payload check (%s)", type(error).__name__)
            return False
        events = tracker.events if tracker is not None else []
        return accepted(text, offered_payloads(events), self._rules)
