"""#15.2: `bot serve` restarts a dead process and keeps the others serving.

Runs the real ``python -m bot.serve`` (own ports and state directory), kills its action server
with SIGKILL and watches what users and processes see.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, Iterator, List, Optional

import pytest
import requests

from bot import messages
from bot.config import PROJECT_ROOT
from bot.serve import wait_until_ready
from tests.conftest import free_port

pytestmark = pytest.mark.e2e


def children(pid: int) -> Dict[str, int]:
    """Direct children of ``pid`` by role (actions / rasa / widget), from /proc."""
    roles = {"bot.action_server": "actions", "bot.rasa_launcher": "rasa", "bot.channels.webserver": "widget"}
    found: Dict[str, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) != pid:
                continue
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
        except (OSError, ValueError, IndexError):
            continue
        for needle, role in roles.items():
            if needle in cmdline:
                found[role] = int(entry.name)
    return found


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


def healthy(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).ok
    except requests.RequestException:
        return False


def say(url: str, sender: str, text: str) -> str:
    reply = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60)
    assert reply.status_code == 200
    return "\n".join(m.get("text") or "" for m in reply.json())


class Served:
    def __init__(self, process: subprocess.Popen, env: Dict[str, str]) -> None:
        self.process = process
        self.rasa_url = f"http://127.0.0.1:{env['GL_RASA_PORT']}"
        self.action_health = f"http://127.0.0.1:{env['GL_ACTION_PORT']}/health"
        self.widget_health = f"http://127.0.0.1:{env['GL_WIDGET_PORT']}/healthz"
        self.log_dir = Path(env["GL_STATE_DIR"]) / "logs"


@pytest.fixture(scope="module")
def served(model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    state = tmp_path_factory.mktemp("serve-state")
    env = {**os.environ, "GL_STATE_DIR": str(state), "GL_RASA_PORT": str(free_port()),
           "GL_ACTION_PORT": str(free_port()), "GL_WIDGET_PORT": str(free_port()),
           "GL_SUPERVISE_FIRST_DELAY": "0.5"}
    for name in ("TELEGRAM_BOT_TOKEN", "GL_DATABASE_URL", "GL_TRACKER_DB", "GL_CALLBACK_DB", "GL_INBOX_DB"):
        env.pop(name, None)
    output = open(state / "serve-output.txt", "wb")  # what an operator sees in the terminal
    process = subprocess.Popen([sys.executable, "-m", "bot.serve", "--model", str(model_path)], cwd=PROJECT_ROOT,
                               env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    handle = Served(process, env)
    try:
        wait_until_ready(f"{handle.rasa_url}/webhooks/rest/", 240, process)
        yield handle
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        output.close()


def test_dead_action_server_is_restarted_while_rasa_keeps_serving(served: Served) -> None:
    before = children(served.process.pid)
    assert set(before) == {"actions", "rasa", "widget"}
    os.kill(before["actions"], signal.SIGKILL)
    # meanwhile: Rasa answers; what needs an action gets the technical-problem note, not silence
    assert "Gründungslotse" in say(served.rasa_url, "sup-1", "Guten Tag")
    answer = say(served.rasa_url, "sup-2", "Ich möchte persönlich beraten werden")
    assert answer == messages.TECHNICAL_PROBLEM or "Ort oder Landkreis" in answer
    # the action server comes back as a new process; bot serve and the others keep running
    assert wait_for(lambda: children(served.process.pid).get("actions") not in (None, before["actions"]), 60)
    assert wait_for(lambda: healthy(served.action_health), 60)
    after = children(served.process.pid)
    assert served.process.poll() is None
    assert after["rasa"] == before["rasa"] and after["widget"] == before["widget"]
    assert "Ort oder Landkreis" in say(served.rasa_url, "sup-3", "Ich möchte persönlich beraten werden")
    assert "Vogtlandkreis" in say(served.rasa_url, "sup-3", "Plauen")
    report = (served.log_dir.parent / "serve-output.txt").read_text(encoding="utf-8")
    assert "actions wurde beendet" in report and "neu gestartet" in report


def test_dead_widget_server_is_restarted_too(served: Served) -> None:
    before = children(served.process.pid)
    os.kill(before["widget"], signal.SIGKILL)
    assert wait_for(lambda: children(served.process.pid).get("widget") not in (None, before["widget"]), 60)
    assert wait_for(lambda: healthy(served.widget_health), 30)
    assert served.process.poll() is None


def test_sigterm_stops_everything(served: Served) -> None:
    pids: List[int] = list(children(served.process.pid).values())
    os.killpg(served.process.pid, signal.SIGTERM)  # what systemd or Ctrl-C does
    assert served.process.wait(timeout=60) == 0
    assert wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in pids), 30)
