"""REST channel that never leaves a user without an answer.

Drop-in for Rasa's ``rest`` channel (same URL: ``/webhooks/rest/webhook``, same JSON).
On top of it:

* cleans every message (:mod:`bot.text_input`): control characters, length cap;
* answers an empty or emoji-only message itself instead of running NLU on nothing;
* if handling produced no bot message at all (action server down, internal error),
  sends :data:`bot.messages.TECHNICAL_PROBLEM`, which names a human contact;
* logs neither message texts nor raw sender ids (DSGVO), only lengths and a hash.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import messages
from bot.text_input import clean_message

logger = logging.getLogger(__name__)

MAX_SENDER_LENGTH = 128


def pseudonym(sender_id: str) -> str:
    """Short stable hash for logs, so log lines can be correlated without the id."""
    return hashlib.sha256(sender_id.encode("utf-8")).hexdigest()[:10]


class GuardedRestInput(RestInput):
    """Rasa REST channel with input cleaning and a no-silence guarantee."""

    def __init__(self, max_chars: int = 2000) -> None:
        self.max_chars = int(max_chars)

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

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                payload = request.json
            except Exception:  # sanic raises InvalidUsage on malformed JSON
                payload = None
            if not isinstance(payload, dict):
                return response.json(
                    {"error": "Erwartet wird JSON: {\"sender\": \"…\", \"message\": \"…\"}"},
                    status=400,
                )
            sender_id = str(payload.get("sender") or "default")[:MAX_SENDER_LENGTH]
            replies = await self.handle(on_new_message, sender_id, payload)
            return response.json(replies)

        return webhook

    async def handle(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        sender_id: str,
        payload: Dict[str, Any],
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

        metadata = payload.get("metadata") if isinstance(payload.get("metadata"), dict) else None
        try:
            await on_new_message(
                UserMessage(
                    clean.text,
                    collector,
                    sender_id,
                    input_channel=self.name(),
                    metadata=metadata,
                )
            )
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
