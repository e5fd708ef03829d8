"""#15.8: no secret on a command line; everything in the state directory private to the bot's user."""

from __future__ import annotations

import os
import stat
import uuid
from pathlib import Path
from typing import Iterator, List

import pytest
import requests

from bot.serve import Stack, action_token, start_stack
from tests.conftest import free_port, say, stack_settings, texts

pytestmark = pytest.mark.e2e


def descendants(pid: int) -> List[int]:
    """``pid`` and all processes below it (from /proc)."""
    children: dict = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def command_line(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@pytest.fixture(scope="module")
def private_stack(model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    state = tmp_path_factory.mktemp("private-state")
    # left behind by an older version: readable by everyone
    (state / "logs").mkdir(mode=0o755)
    (state / "logs" / "rasa-internal.log").write_text("alt\n")
    (state / "tracker.db").touch()
    for path in (state / "logs", state / "logs" / "rasa-internal.log", state / "tracker.db"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    os.chmod(state, 0o755)
    running = start_stack(stack_settings(state, widget_port=free_port()), model_path, with_widget=True)
    yield running
    running.stop()


def test_no_token_on_any_command_line(private_stack: Stack) -> None:
    secrets = [private_stack.token, action_token(private_stack.settings)]
    pids = [pid for p in private_stack.processes.values() for pid in descendants(p.pid)]
    assert len(pids) >= 3
    for pid in pids:
        line = command_line(pid)
        for secret in secrets:
            assert secret not in line, line[:200]


def test_the_api_still_needs_and_takes_the_token(private_stack: Stack) -> None:
    url = f"{private_stack.settings.rasa_url}/conversations/x/tracker"
    assert requests.get(url, timeout=30).status_code == 401
    assert requests.get(url, params={"token": private_stack.token}, timeout=30).status_code == 200


def test_every_file_in_the_state_directory_is_private(private_stack: Stack) -> None:
    user = f"priv-{uuid.uuid4().hex[:8]}"
    say(private_stack, user, "Wie melde ich ein Gewerbe an?")
    assert texts(say(private_stack, user, '/feedback{"bewertung": "schlecht"}'))  # 👎: into inbox.db
    for text in ("Ich möchte einen Rückruf", "Ja", "Anna Schmidt", "0341 5550123", "Förderung", "Borna"):
        say(private_stack, user, text)
    private_stack.flush_logs()
    state = private_stack.settings.state_dir
    names = {p.name for p in state.rglob("*")}
    assert {"tracker.db", "rueckrufe.db", "inbox.db", "api-token", "action-token", "rasa.log",
            "actions.log", "widget.log"} <= names
    assert stat.S_IMODE(state.stat().st_mode) == 0o700
    wrong = {str(p.relative_to(state)): oct(stat.S_IMODE(p.stat().st_mode)) for p in state.rglob("*")
             if stat.S_IMODE(p.stat().st_mode) != (0o700 if p.is_dir() else 0o600)}
    assert wrong == {}
