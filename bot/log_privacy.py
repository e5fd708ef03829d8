"""Logs without personal data, kept for a bounded time.

Second line of defence (the first: nothing of ours logs texts, and the channel never passes
typed "/…" texts to Rasa, whose warnings would quote them):

* :func:`redact` masks e-mail addresses, phone numbers and the text fields of Rasa's
  structured log events (``user_text``, ``text``, …; local variables of tracebacks);
* :func:`install` makes every log record of a process pass through it (record factory – it
  works whatever handlers Rasa or rasa_sdk configure later); used by the Rasa and action
  server launchers;
* :class:`PrivateLogHandler` writes the lines ``bot serve`` collects from its processes:
  redacted again (covers warnings and anything printed), file mode 600, a new file every
  midnight, ``GL_LOG_RETENTION_DAYS`` days kept, at most ``GL_LOG_MAX_MB`` per file.
"""

from __future__ import annotations

import json
import logging
import os
import re
import traceback
from logging.handlers import TimedRotatingFileHandler
from pathlib import Path
from typing import Any, Optional

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# 6+ digits, optionally grouped by spaces, slashes, dashes, dots or brackets, optional +country code;
# dates like 2026-12-04 and times are kept (they are no phone numbers and make logs readable).
PHONE = re.compile(r"(?<![\w.:-])(?:\+|00)?\d[\d /().-]{4,}\d(?![\w:])")
NOT_A_PHONE = re.compile(r"^(\d{4}-\d{2}-\d{2}|\d{1,3}(\.\d{1,3}){3}|\d+\.\d+)$")  # date, IPv4, decimal
# keys of Rasa's structlog events (and our own) whose values are user or bot texts
TEXT_KEYS = ("user_text", "text", "message", "utterance", "response", "values", "slots", "parse_data",
             "tracker", "events", "metadata", "request_body")
QUOTED_TEXT = re.compile(r"(line|message|text) '([^']*)'", re.IGNORECASE)
MASK = "[…]"


def _mask_phone(match: "re.Match[str]") -> str:
    found = match.group(0)
    digits = sum(ch.isdigit() for ch in found)
    if digits < 6 or NOT_A_PHONE.match(found.strip()):
        return found
    return "[Telefon]"


def redact_plain(text: str) -> str:
    """E-mail addresses and phone numbers masked; quoted message texts of Rasa warnings masked."""
    text = EMAIL.sub("[E-Mail]", text)
    text = QUOTED_TEXT.sub(lambda m: f"{m.group(1)} '{MASK}'", text)
    return PHONE.sub(_mask_phone, text)


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: (MASK if key in TEXT_KEYS or key == "locals" else _scrub(item)) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    if isinstance(value, str):
        return redact_plain(value)
    return value


def redact(text: str) -> str:
    """A log message without personal data. Structured (JSON) events keep their keys, lose texts."""
    start = text.find("{")
    if start != -1 and text.rstrip().endswith("}"):
        try:
            event = json.loads(text[start:])
        except ValueError:
            event = None
        if isinstance(event, dict):
            return redact_plain(text[:start]) + json.dumps(_scrub(event), ensure_ascii=False)
    return redact_plain(text)


def install() -> None:
    """Redact every log record this process creates (message and traceback)."""
    previous = logging.getLogRecordFactory()
    if getattr(previous, "gl_redacting", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            record.msg, record.args = redact(record.getMessage()), ()
        except Exception:  # noqa: BLE001 – a broken format string must not break logging
            record.msg, record.args = redact(str(record.msg)), ()
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip())
            record.exc_info = None
        return record

    factory.gl_redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def _int_env(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, "") or default)
    except ValueError:
        return default


def retention_days() -> int:
    return max(1, _int_env("GL_LOG_RETENTION_DAYS", 7))


def max_bytes() -> int:
    return max(1, _int_env("GL_LOG_MAX_MB", 10)) * 1024 * 1024


class PrivateLogHandler(TimedRotatingFileHandler):
    """Daily files (``name.log.YYYY-MM-DD``), ``backups`` of them kept, mode 600; a file that
    grows past ``max_size`` is rotated early (the day's backup is then replaced: the size on
    disk stays bounded even under a flood)."""

    def __init__(self, path: Path, backups: Optional[int] = None, max_size: Optional[int] = None) -> None:
        self.max_size = max_size if max_size is not None else max_bytes()
        super().__init__(str(path), when="midnight", backupCount=backups or retention_days(),
                         encoding="utf-8", delay=False)
        self.setFormatter(logging.Formatter("%(message)s"))

    def _open(self):  # type: ignore[no-untyped-def]
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.chmod(self.baseFilename, 0o600)  # also when the file existed with wider rights
        return os.fdopen(fd, "a", encoding=self.encoding, errors="replace")

    def shouldRollover(self, record: logging.LogRecord) -> int:  # noqa: N802 (logging API)
        if self.stream is not None and self.stream.tell() >= self.max_size:
            return 1
        return super().shouldRollover(record)

    def write_line(self, line: str) -> None:
        """One collected output line, redacted."""
        self.handle(logging.makeLogRecord({"msg": redact(line), "levelno": logging.INFO}))
