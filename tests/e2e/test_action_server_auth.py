"""#15.7: the action server answers only Rasa (shared secret) and never echoes a request.

Real action server over HTTP (the ``stack`` fixture): a forged tracker that would store a
callback request without consent, wrong or missing tokens, broken requests.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Dict, Optional

import pytest
import requests

from bot.serve import Stack, action_token
from tests.conftest import say, texts

pytestmark = pytest.mark.e2e

FORGED_NAME = "Erika Gefälscht"


def forged_call() -> Dict[str, Any]:
    """What an attacker would send: a tracker with consent and contact data set by hand."""
    slots = {"rueckruf_einwilligung": True, "rueckruf_name": FORGED_NAME, "rueckruf_kontakt": "0341 5550100",
             "rueckruf_thema": "Test", "ort": "Borna", "ort_status": "found"}
    return {"next_action": "action_submit_callback", "sender_id": "angreifer", "version": "3.6.21",
            "tracker": {"sender_id": "angreifer", "slots": slots, "latest_message": {}, "events": [],
                        "paused": False, "followup_action": None, "active_loop": {},
                        "latest_action_name": "action_listen"},
            "domain": {}}


def call(stack: Stack, body: Any, token: Optional[str]) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    if isinstance(body, bytes):
        headers["Content-Type"] = "application/json"
        return requests.post(stack.settings.action_url, data=body, headers=headers, timeout=30)
    return requests.post(stack.settings.action_url, json=body, headers=headers, timeout=30)


def stored_names(stack: Stack) -> list:
    if not stack.settings.callback_db.exists():
        return []
    with sqlite3.connect(stack.settings.callback_db) as db:
        return [row[0] for row in db.execute("SELECT name FROM callback_requests")]


@pytest.mark.parametrize("token", [None, "", "falsch", "Bearer"], ids=["none", "empty", "wrong", "scheme"])
def test_forged_tracker_without_the_secret_is_refused(stack: Stack, token: Optional[str]) -> None:
    reply = call(stack, forged_call(), token)
    assert reply.status_code == 401
    assert FORGED_NAME not in reply.text
    assert FORGED_NAME not in stored_names(stack)


def test_action_list_needs_the_secret_health_does_not(stack: Stack) -> None:
    base = stack.settings.action_url.rsplit("/", 1)[0]
    assert requests.get(f"{base}/actions", timeout=10).status_code == 401
    assert requests.get(f"{base}/health", timeout=10).status_code == 200


@pytest.mark.parametrize("body", [
    b'{"next_action": "action_find_contact", "tracker": "kaputt-Jolanda"}',
    b'{"next_action": "action_find_contact", "tracker": {"slots": "kaputt-Jolanda"}}',
    b"{kaputt-Jolanda",
], ids=["tracker-string", "slots-string", "no-json"])
def test_errors_echo_neither_the_request_nor_a_traceback(stack: Stack, body: bytes) -> None:
    reply = call(stack, body, action_token(stack.settings))
    assert 400 <= reply.status_code < 600
    assert "Jolanda" not in reply.text and "Traceback" not in reply.text and "request_body" not in reply.text
    stack.flush_logs()
    log = (stack.log_dir / "actions.log").read_text(encoding="utf-8")
    assert "Jolanda" not in log


def test_rasa_still_reaches_its_actions(stack: Stack) -> None:
    user = "auth-ok"
    assert "Ort oder Landkreis" in texts(say(stack, user, "Ich möchte persönlich beraten werden"))
    assert "Vogtlandkreis" in texts(say(stack, user, "Plauen"))
