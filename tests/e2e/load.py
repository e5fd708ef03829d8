"""Concurrent senders for the end-to-end tests of the production profile.

Each sender sends numbered messages (``"<text> #<n>"``) with a given number of requests
in flight at once – more than a widget ever has, which is what provokes lock races.
Targets are chosen per request, so one conversation's messages can be spread over
several Rasa replicas on purpose.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence

import aiohttp
import psycopg2
import requests

from bot import messages

TEXTS = (
    "Hallo",
    "Wie melde ich ein Gewerbe an?",
    "Was ist die Kleinunternehmerregelung?",
    "Wer bekommt den Gründungszuschuss?",
    "bist du ein bot?",
    "danke",
)


def numbered(n: int) -> str:
    return f"{TEXTS[n % len(TEXTS)]} #{n}"


@dataclass
class LoadResult:
    """What the senders saw."""

    sent: Dict[str, List[str]] = field(default_factory=dict)
    ok: int = 0
    technical_problem: int = 0  # 200, but the bot's apology instead of an answer
    errors: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(len(texts) for texts in self.sent.values())


async def _one(session: aiohttp.ClientSession, url: str, sender: str, text: str,
               result: LoadResult, timeout: float) -> None:
    try:
        async with session.post(f"{url}/webhooks/rest/webhook",
                                json={"sender": sender, "message": text},
                                timeout=aiohttp.ClientTimeout(total=timeout)) as reply:
            body = await reply.json(content_type=None) if reply.status == 200 else None
            if reply.status != 200 or not isinstance(body, list):
                result.errors[f"http_{reply.status}"] += 1
            elif any(m.get("text") == messages.TECHNICAL_PROBLEM for m in body):
                result.technical_problem += 1
            else:
                result.ok += 1
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
        result.errors[type(error).__name__] += 1


async def _sender(session: aiohttp.ClientSession, urls: Callable[[int], str], sender: str,
                  count: int, in_flight: int, result: LoadResult, timeout: float) -> None:
    texts = [numbered(n) for n in range(count)]
    result.sent[sender] = texts
    window = asyncio.Semaphore(in_flight)
    pending = []
    for n, text in enumerate(texts):
        await window.acquire()

        async def run(n: int = n, text: str = text) -> None:
            try:
                await _one(session, urls(n), sender, text, result, timeout)
            finally:
                window.release()

        pending.append(asyncio.ensure_future(run()))
        await asyncio.sleep(0)  # let the request start before the next one, keeps order likely
    await asyncio.gather(*pending)


def send_concurrently(urls: Sequence[str], senders: Sequence[str], count: int,
                      in_flight: int, timeout: float = 120) -> LoadResult:
    """Every sender sends ``count`` messages, ``in_flight`` at a time; message n of a
    sender goes to ``urls[n % len(urls)]`` (so one conversation is spread over replicas)."""
    result = LoadResult()

    async def main() -> None:
        connector = aiohttp.TCPConnector(limit=len(senders) * in_flight)
        async with aiohttp.ClientSession(connector=connector) as session:
            await asyncio.gather(*(
                _sender(session, lambda n, k=k: urls[(n + k) % len(urls)], sender, count,
                        in_flight, result, timeout)
                for k, sender in enumerate(senders)))

    asyncio.run(main())
    return result


def stored_events(database_url: str, senders: Sequence[str]) -> Dict[str, List[dict]]:
    """Events per sender as stored in PostgreSQL, in insertion order."""
    stored: Dict[str, List[dict]] = {s: [] for s in senders}
    with psycopg2.connect(database_url) as db, db.cursor() as cursor:
        cursor.execute("SELECT sender_id, data FROM events WHERE sender_id = ANY(%s) ORDER BY id",
                       (list(senders),))
        for sender, data in cursor.fetchall():
            stored[sender].append(json.loads(data))
    return stored


def interleaving_problems(events: List[dict]) -> List[str]:
    """Each user message must be followed by the bot's turn, ending in ``action_listen``,
    before the next user message; two turns processed at once break that pattern."""
    problems = []
    waiting_for_listen: Optional[str] = None
    for event in events:
        if event.get("event") == "user":
            if waiting_for_listen is not None:
                problems.append(f"{waiting_for_listen!r} then {event.get('text')!r} without action_listen")
            waiting_for_listen = event.get("text")
        elif event.get("event") == "action" and event.get("name") == "action_listen":
            waiting_for_listen = None
    return problems


def lost_and_duplicated(sent: Sequence[str], events: List[dict]) -> tuple:
    stored = Counter(e.get("text") for e in events if e.get("event") == "user")
    lost = [t for t in sent if stored[t] == 0]
    duplicated = [t for t, c in stored.items() if c > 1]
    return lost, duplicated


@dataclass
class ClientStats:
    """What widget-like clients saw: first attempts that failed, and messages that failed
    even after the repeats."""

    sent: Dict[str, List[str]] = field(default_factory=dict)
    first_attempt_failures: Counter = field(default_factory=Counter)
    final_failures: Counter = field(default_factory=Counter)
    technical_problem: int = 0
    answered: int = 0


def widget_like_clients(url: str, senders: Sequence[str], stop: threading.Event,
                        stats: ClientStats, retries: Sequence[float] = (0.5, 1.5, 3.0)) -> List[threading.Thread]:
    """One thread per sender, one message at a time (like the widget), until ``stop``; a
    message without an answer (connection lost, 502/503/504) is repeated with the same
    ``message_id`` – exactly what the widget and the Telegram bridge do."""
    def run(sender: str) -> None:
        stats.sent[sender] = []
        n = 0
        while not stop.is_set():
            text = numbered(n)
            body = {"sender": sender, "message": text, "message_id": uuid.uuid4().hex}
            stats.sent[sender].append(text)
            for attempt, delay in enumerate((*retries, None)):
                try:
                    reply = requests.post(f"{url}/webhooks/rest/webhook", json=body, timeout=90)
                    failure = None if reply.status_code == 200 else f"http_{reply.status_code}"
                except requests.RequestException as error:
                    failure = type(error).__name__
                if failure is None:
                    if any(m.get("text") == messages.TECHNICAL_PROBLEM for m in reply.json()):
                        stats.technical_problem += 1
                    else:
                        stats.answered += 1
                    break
                if attempt == 0:
                    stats.first_attempt_failures[failure] += 1
                if delay is None or failure not in ("http_502", "http_503", "http_504", "ConnectionError"):
                    stats.final_failures[failure] += 1
                    break
                time.sleep(delay)
            n += 1

    threads = [threading.Thread(target=run, args=(s,), daemon=True) for s in senders]
    for thread in threads:
        thread.start()
    return threads
