"""Telegram bridge: which Bot API failures are retried, how long it waits, no double sends."""

from __future__ import annotations

import asyncio
import datetime as dtm
from typing import Any, List

import httpx
import pytest
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from bot.channels.telegram.retry import (
    Failure,
    RetryPolicy,
    call_with_retry,
    classify,
    retry_after_seconds,
)

POLICY = RetryPolicy(attempts=4, base_delay=1.0, max_delay=5.0, max_retry_after=60.0, jitter=0.0)


def caused_by(error: TelegramError, cause: BaseException) -> TelegramError:
    """A PTB error as its HTTPXRequest raises it (``raise … from httpx_error``)."""
    error.__cause__ = cause
    return error


REQUEST = httpx.Request("POST", "https://api.telegram.org/botX/sendMessage")
CONNECT_REFUSED = caused_by(NetworkError("httpx.ConnectError: refused"), httpx.ConnectError("refused"))
CONNECT_TIMEOUT = caused_by(TimedOut(), httpx.ConnectTimeout("connect"))
POOL_TIMEOUT = caused_by(TimedOut("Pool timeout"), httpx.PoolTimeout("pool"))
READ_TIMEOUT = caused_by(TimedOut(), httpx.ReadTimeout("read"))
WRITE_TIMEOUT = caused_by(TimedOut(), httpx.WriteTimeout("write"))
BROKEN = caused_by(NetworkError("httpx.RemoteProtocolError"), httpx.RemoteProtocolError("gone"))
SERVER_502 = NetworkError("Bad Gateway (502)")
SERVER_500 = NetworkError("Internal Server Error: restart")


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (RetryAfter(7), Failure.WAIT),
        (SERVER_502, Failure.SAFE),
        (SERVER_500, Failure.SAFE),
        (CONNECT_REFUSED, Failure.SAFE),
        (CONNECT_TIMEOUT, Failure.SAFE),
        (POOL_TIMEOUT, Failure.SAFE),
        (READ_TIMEOUT, Failure.UNCERTAIN),
        (WRITE_TIMEOUT, Failure.UNCERTAIN),
        (TimedOut(), Failure.UNCERTAIN),
        (BROKEN, Failure.UNCERTAIN),
        (BadRequest("Can't parse entities"), Failure.FATAL),
        (Forbidden("bot was blocked by the user"), Failure.FATAL),
        (InvalidToken(), Failure.FATAL),
        (ChatMigrated(-100123), Failure.FATAL),
        (Conflict("terminated by other getUpdates request"), Failure.FATAL),
        (ValueError("no Telegram error"), Failure.FATAL),
    ],
)
def test_classify(error: BaseException, kind: Failure) -> None:
    assert classify(error) is kind


def test_retry_after_accepts_seconds_and_timedelta() -> None:
    assert retry_after_seconds(RetryAfter(3)) == 3.0
    assert retry_after_seconds(RetryAfter(dtm.timedelta(seconds=2.5))) == 2.5


def test_backoff_doubles_and_is_capped() -> None:
    assert [POLICY.backoff(n) for n in range(1, 6)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    jittered = RetryPolicy(jitter=0.1)
    assert all(0.9 <= jittered.backoff(1) <= 1.1 for _ in range(50))


class Flaky:
    """An API call that fails with the given errors, then returns "ok"."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def run(flaky: Flaky, idempotent: bool, policy: RetryPolicy = POLICY) -> List[float]:
    waits: List[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async def go() -> Any:
        return await call_with_retry(flaky, what="sendMessage", idempotent=idempotent,
                                     policy=policy, sleep=sleep)

    assert asyncio.run(go()) == "ok"
    return waits


def test_flood_control_waits_exactly_retry_after() -> None:
    flaky = Flaky(RetryAfter(7), RetryAfter(2))
    assert run(flaky, idempotent=False) == [7.0, 2.0]
    assert flaky.calls == 3


def test_server_errors_and_refused_connections_are_retried_with_backoff() -> None:
    flaky = Flaky(SERVER_502, CONNECT_REFUSED, POOL_TIMEOUT)
    assert run(flaky, idempotent=False) == [1.0, 2.0, 4.0]
    assert flaky.calls == 4


def test_a_send_that_may_have_arrived_is_not_repeated() -> None:
    for error in (READ_TIMEOUT, WRITE_TIMEOUT, BROKEN):
        flaky = Flaky(error)
        with pytest.raises(type(error)):
            run(flaky, idempotent=False)
        assert flaky.calls == 1  # no second copy of the message


def test_idempotent_calls_are_repeated_after_uncertain_failures() -> None:
    flaky = Flaky(READ_TIMEOUT, BROKEN)
    assert run(flaky, idempotent=True) == [1.0, 2.0]


@pytest.mark.parametrize("error", [BadRequest("chat not found"), Forbidden("blocked"), InvalidToken()])
def test_fatal_errors_are_raised_at_once(error: TelegramError) -> None:
    flaky = Flaky(error)
    with pytest.raises(type(error)):
        run(flaky, idempotent=True)
    assert flaky.calls == 1


def test_gives_up_after_the_configured_attempts() -> None:
    flaky = Flaky(*[SERVER_502] * 10)
    with pytest.raises(NetworkError):
        run(flaky, idempotent=False)
    assert flaky.calls == POLICY.attempts


def test_an_overlong_flood_wait_is_not_sat_out() -> None:
    flaky = Flaky(RetryAfter(3600))
    with pytest.raises(RetryAfter):
        run(flaky, idempotent=False)
    assert flaky.calls == 1


def test_logs_name_the_error_type_but_no_content(caplog: pytest.LogCaptureFixture) -> None:
    flaky = Flaky(BadRequest("Can't parse entities: Geheimnis at byte offset 3"))
    with caplog.at_level("DEBUG", logger="bot.channels.telegram.retry"), pytest.raises(BadRequest):
        run(flaky, idempotent=False)
    assert "BadRequest" in caplog.text and "Geheimnis" not in caplog.text
