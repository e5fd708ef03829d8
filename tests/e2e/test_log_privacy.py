"""#15.5: no personal data and no message texts in any log file; logs rotate.

A whole conversation with name, e-mail and phone number runs through real servers; then every
file in the log directory (rotated ones too) is searched for them.
"""

from __future__ import annotations

import uuid

import pytest

from bot.serve import Stack
from tests.conftest import say, texts

pytestmark = pytest.mark.e2e

NAME = "Jolanda Quastenberg"
EMAIL = "jolanda.quastenberg@example.org"
PHONE = "0341 5557381"
SECRETS = (NAME, "Quastenberg", EMAIL, "quastenberg@", "5557381", "555 7381")


def all_logs(stack: Stack) -> str:
    files = sorted(p for p in stack.log_dir.iterdir() if p.is_file())
    assert files, "no log files"
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in files)


def test_conversation_with_contact_data_leaves_no_trace_in_the_logs(stack: Stack) -> None:
    user = f"log-{uuid.uuid4().hex[:8]}"
    faq = say(stack, user, "Wie melde ich ein Gewerbe an?")  # FAQ answer with '/contact_human{…}' buttons
    assert any(b["payload"].startswith("/contact_human{") for m in faq for b in m.get("buttons", []))
    say(stack, user, "Ich möchte einen Rückruf")
    say(stack, user, "Ja")
    say(stack, user, NAME)
    say(stack, user, f"Mail: {EMAIL}")  # not a valid contact: asked again, the text goes nowhere
    say(stack, user, EMAIL)
    say(stack, user, f"Bitte unter {PHONE} zurückrufen wegen Förderung")
    assert "gespeichert" in texts(say(stack, user, "Borna"))
    say(stack, user, f"/inform{{\"ort\": \"{EMAIL}\"}}")  # refused by the channel, never logged
    say(stack, user, f"Meine Nummer ist {PHONE}, meine Mail {EMAIL}")
    stack.flush_logs()
    content = all_logs(stack)
    for secret in SECRETS:
        assert secret not in content, secret
    # FAQ buttons with JSON payloads are no templates: no interpolation errors with slot values
    assert "interpolator" not in content
    assert "Failed to replace placeholders" not in content
