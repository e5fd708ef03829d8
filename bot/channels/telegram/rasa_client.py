"""Talk to the bot's REST channel: one user message in, the bot's messages out.

``POST {rasa_url}/webhooks/rest/webhook`` with ``{"sender": …, "message": …}`` answers with
a JSON list of ``{"text", "buttons": [{"title", "payload"}], "image"}``. Anything else –
connection refused, timeout, HTTP error, malformed JSON – raises :class:`RasaUnavailable`,
so the caller can send its apology.

Every message carries a ``message_id``. Repeated with the same id: a refused connection
(the request never reached Rasa), a connection broken before the answer, and a gateway
error 502/503/504 from the load balancer (a replica died mid-request) – the REST channel
answers a repeat from the stored conversation, so nothing is processed twice
(bot/channels/repeat.py). Not repeated: a timeout (Rasa is still at it; a repeat would
only wait for the same turn) and a broken answer from Rasa itself.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, List, Optional, Sequence, Tuple

import httpx

WEBHOOK_PATH = "/webhooks/rest/webhook"
GATEWAY_ERRORS = {502, 503, 504}  # from the balancer: no replica answered


class RasaUnavailable(Exception):
    """The bot did not answer usably; the message says why (never the user's text)."""


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class BotMessage:
    text: str = ""
    buttons: Tuple[Button, ...] = field(default_factory=tuple)
    image: Optional[str] = None

    @property
    def empty(self) -> bool:
        return not (self.text.strip() or self.buttons or self.image)


def parse_messages(data: Any) -> List[BotMessage]:
    """Turn the REST channel's JSON into :class:`BotMessage` objects, skipping junk."""
    if not isinstance(data, list):
        raise RasaUnavailable("Antwort ist keine JSON-Liste")
    result: List[BotMessage] = []
    for item in data:
        if not isinstance(item, dict):
            continue
        text = item.get("text") if isinstance(item.get("text"), str) else ""
        buttons = []
        for raw in item.get("buttons") or []:
            if not isinstance(raw, dict):
                continue
            title = str(raw.get("title") or "").strip()
            payload = str(raw.get("payload") or "").strip() or title
            if title:
                buttons.append(Button(title=title, payload=payload))
        image = item.get("image") if isinstance(item.get("image"), str) else None
        message = BotMessage(text=text, buttons=tuple(buttons), image=image or None)
        if not message.empty:
            result.append(message)
    return result


Sleep = Callable[[float], Awaitable[Any]]


class RasaClient:
    """Async client of the REST channel (one shared ``httpx.AsyncClient``)."""

    def __init__(
        self,
        base_url: str,
        timeout: float = 60.0,
        connect_retries: Sequence[float] = (0.5, 1.5),
        transport: Optional[httpx.AsyncBaseTransport] = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.url = base_url.rstrip("/") + WEBHOOK_PATH
        self.connect_retries = tuple(connect_retries)
        self._sleep = sleep
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout, connect=5.0), transport=transport,
            headers={"User-Agent": "gruendungslotse-telegram-bridge"},
        )

    async def close(self) -> None:
        await self._client.aclose()

    async def send(self, sender: str, text: str) -> List[BotMessage]:
        """Send one user message; return the bot's messages or raise :class:`RasaUnavailable`."""
        delays = list(self.connect_retries)
        body = {"sender": sender, "message": text, "message_id": uuid.uuid4().hex}
        while True:
            try:
                reply = await self._client.post(self.url, json=body)
            except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as error:
                # never reached Rasa, or the connection broke: a repeat with the same id is safe
                if not delays:
                    raise RasaUnavailable(f"keine Verbindung ({type(error).__name__})") from error
                await self._sleep(delays.pop(0))
                continue
            except httpx.HTTPError as error:  # timeout: Rasa is still working on it
                raise RasaUnavailable(type(error).__name__) from error
            if reply.status_code in GATEWAY_ERRORS and delays:
                await self._sleep(delays.pop(0))
                continue
            break
        if reply.status_code != 200:
            raise RasaUnavailable(f"HTTP {reply.status_code}")
        try:
            data = reply.json()
        except ValueError as error:
            raise RasaUnavailable("Antwort ist kein JSON") from error
        return parse_messages(data)
