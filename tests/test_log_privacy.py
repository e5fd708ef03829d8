"""#15.5: the second line of defence – redaction of log records and of collected output, rotation."""

from __future__ import annotations

import json
import logging
import os
import stat
from pathlib import Path

import pytest

from bot import log_privacy
from bot.log_privacy import PrivateLogHandler, redact


@pytest.mark.parametrize("line", [
    "Kontakt anna.beispiel@example.org bitte",
    "Telefon 0341 5550199",
    "Telefon +49 (341) 555-0199",
    "Tel. 0341/5550199",
])
def test_contact_data_is_masked(line: str) -> None:
    masked = redact(line)
    assert "5550199" not in masked and "555-0199" not in masked and "@example.org" not in masked


@pytest.mark.parametrize("line", [
    "2026-12-04 16:43:00 INFO     rasa.core.run  - Starting Rasa server on http://127.0.0.1:5005",
    "took 0.0123456 s for 4514 examples",
])
def test_operator_information_stays_readable(line: str) -> None:
    assert redact(line) == line


def test_rasa_structured_events_lose_texts_and_traceback_locals() -> None:
    event = {"event": "message.parsing.failed", "user_text": "/ich heiße Jana", "level": "warning",
             "exception": [{"exc_type": "KeyError", "frames": [{"name": "f", "locals": {
                 "values": "{'rueckruf_name': 'Jana Beispiel'}"}}]}]}
    masked = redact("2026-12-04 WARNING rasa.shared - " + json.dumps(event))
    assert "Jana" not in masked
    assert "message.parsing.failed" in masked and "KeyError" in masked  # still useful for operators


def test_rasa_warning_quoting_a_line_is_masked() -> None:
    masked = redact("UserWarning: Failed to parse arguments in line '/inform{\"ort\": \"Jana\"}'. Continuing")
    assert "Jana" not in masked and "Failed to parse arguments" in masked


def test_installed_record_factory_redacts_messages_and_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    previous = logging.getLogRecordFactory()
    log_privacy.install()
    try:
        logger = logging.getLogger("gl.test")
        with caplog.at_level(logging.INFO, logger="gl.test"):
            logger.info("Nachricht von %s", "anna@example.org")
            try:
                raise ValueError("Telefon 0341 5550199")
            except ValueError:
                logger.exception("Fehler")
        text = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
        assert "anna@example.org" not in text and "5550199" not in text
        assert "ValueError" in text  # the traceback is kept, only redacted
    finally:
        logging.setLogRecordFactory(previous)


def test_log_files_are_private_bounded_and_rotated(tmp_path: Path) -> None:
    path = tmp_path / "rasa.log"
    handler = PrivateLogHandler(path, backups=3, max_size=2000)
    try:
        for number in range(200):
            handler.write_line(f"Zeile {number:03d} von anna@example.org " + "x" * 40)
    finally:
        handler.close()
    files = sorted(tmp_path.iterdir())
    assert path in files and len(files) == 2  # the current file and today's backup (replaced on each roll)
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    assert all(f.stat().st_size <= 2000 + 200 for f in files)
    content = "".join(f.read_text(encoding="utf-8") for f in files)
    assert "Zeile 199" in content and "anna@example.org" not in content


def test_old_days_are_deleted(tmp_path: Path) -> None:
    path = tmp_path / "actions.log"
    for day in ("2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04"):
        (tmp_path / f"actions.log.{day}").write_text("alt\n")
    handler = PrivateLogHandler(path, backups=2)
    try:
        handler.write_line("neu")
        handler.doRollover()
    finally:
        handler.close()
    backups = sorted(p.name for p in tmp_path.iterdir() if p.name != "actions.log")
    assert len(backups) == 2 and "actions.log.2026-11-01" not in backups


def test_existing_log_file_with_wide_rights_becomes_private(tmp_path: Path) -> None:
    path = tmp_path / "widget.log"
    path.write_text("alt\n")
    os.chmod(path, 0o644)
    PrivateLogHandler(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
