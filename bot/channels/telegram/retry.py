"""Retry policy for calls to the Telegram Bot API.

A reply must arrive, but never twice. So each failure is classified by whether Telegram
can have carried out the request:

``WAIT``       429 Flood control (:class:`telegram.error.RetryAfter`): refused, not executed –
               wait ``retry_after`` seconds, then repeat.
``SAFE``       the request provably had no effect: the connection was never made
               (connect error/timeout, PTB's pool timeout) or Telegram answered with an
               error status such as 500/502/503 – repeat with exponential backoff.
``UNCERTAIN``  sent, but the answer was lost (read/write timeout, connection broken
               mid-request): the message may have been delivered. Repeated only for
               idempotent calls (editing a keyboard, answering a callback), never for
               ``sendMessage``.
``FATAL``      400 Bad Request, 403 blocked by the user, invalid token, … – repeating
               cannot help.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import enum
import logging
import random
import warnings
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Optional, TypeVar

import httpx
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut

logger = logging.getLogger(__name__)

T = TypeVar("T")


class Failure(enum.Enum):
    WAIT = "wait"
    SAFE = "safe"
    UNCERTAIN = "uncertain"
    FATAL = "fatal"


# httpx errors raised before any byte of the request left this machine
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def retry_after_seconds(error: RetryAfter) -> float:
    value = getattr(error, "_retry_after", None)  # timedelta in PTB ≥ 22.2, no warning
    if value is None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = error.retry_after
    if isinstance(value, dtm.timedelta):
        return value.total_seconds()
    return float(value)


def classify(error: BaseException) -> Failure:
    """How a failed Bot API call may be repeated (see module docstring)."""
    if isinstance(error, RetryAfter):
        return Failure.WAIT
    if isinstance(error, BadRequest):  # a NetworkError subclass, but the request was wrong
        return Failure.FATAL
    if isinstance(error, NetworkError):  # includes TimedOut
        cause = error.__cause__
        if isinstance(cause, _NOT_SENT):
            return Failure.SAFE
        if isinstance(error, TimedOut):
            return Failure.UNCERTAIN  # read/write timeout: Telegram may have executed it
        if cause is None or isinstance(cause, TelegramError):
            return Failure.SAFE  # Telegram answered with an error status (5xx, …)
        return Failure.UNCERTAIN  # connection broke while the request was under way
    return Failure.FATAL


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5  # calls in total, the first included
    base_delay: float = 1.0
    max_delay: float = 30.0
    max_retry_after: float = 120.0  # a longer flood wait is not worth holding a reply for
    jitter: float = 0.1  # ± share of the backoff delay

    def backoff(self, retry: int) -> float:
        """Delay before retry number ``retry`` (1, 2, …): 1 s, 2 s, 4 s … capped."""
        delay = min(self.max_delay, self.base_delay * (2 ** (retry - 1)))
        if self.jitter:
            delay *= 1 + random.uniform(-self.jitter, self.jitter)
        return max(0.0, delay)

    def delay(self, error: BaseException, retry: int, idempotent: bool) -> Optional[float]:
        """Seconds to wait before retry number ``retry``, or ``None``: give up."""
        if retry >= self.attempts:
            return None
        kind = classify(error)
        if kind is Failure.WAIT:
            seconds = retry_after_seconds(error)  # type: ignore[arg-type]
            return seconds if seconds <= self.max_retry_after else None
        if kind is Failure.SAFE or (kind is Failure.UNCERTAIN and idempotent):
            return self.backoff(retry)
        return None


# Start-up (getMe, setWebhook): Telegram unreachable for a while must not end the bridge;
# an invalid token (FATAL) still does, at once.
STARTUP_POLICY = RetryPolicy(attempts=1_000_000, base_delay=1.0, max_delay=30.0)

Sleep = Callable[[float], Awaitable[Any]]


async def call_with_retry(
    operation: Callable[[], Awaitable[T]],
    *,
    what: str,
    idempotent: bool,
    policy: RetryPolicy = RetryPolicy(),
    sleep: Sleep = asyncio.sleep,
) -> T:
    """Run ``operation`` and repeat it as the policy allows; re-raise the last error.

    ``what`` names the call in the logs (e.g. ``"sendMessage"``); logs carry the error type
    only – no texts, no chat ids.
    """
    retry = 0
    while True:
        try:
            return await operation()
        except TelegramError as error:
            retry += 1
            wait = policy.delay(error, retry, idempotent)
            if wait is None:
                level = logging.WARNING if classify(error) is not Failure.FATAL else logging.INFO
                logger.log(level, "telegram: %s failed (%s, %s) after %d attempt(s), giving up",
                           what, type(error).__name__, classify(error).value, retry)
                raise
            logger.info("telegram: %s failed (%s), retry %d in %.1f s",
                        what, type(error).__name__, retry, wait)
            await sleep(wait)
