"""Fault probe for `bot serve` (issue #15): measures what the regression tests only assert.

Measurement script, not a test. Starts ``python -m bot.serve`` with its own ports and state
directory, then:

* **big-body** – one client POSTs a ~96 MB JSON message while another client keeps asking
  "Hallo"; reports the big request's status and duration and the other client's worst latency;
* **kill-actions** – several users talk to the bot (half of the messages need the action
  server); the action server is killed with SIGKILL after a third of the run; reports messages
  sent / answered normally / answered with the technical-problem note / lost (no HTTP answer),
  whether every process is serving again and how long the action server was gone;
* **process facts** – whether the API token is visible in a process command line, and the
  permission bits of the files in the state directory.

Prints JSON (``--json FILE`` also writes it). Numbers on the shared 2-core machines are noisy.

Example: ``.venv/bin/python bench/reliability_probe.py --duration 30``
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

import requests

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from bot import messages  # noqa: E402

CONVERSATION = [  # (text, needs the action server)
    ("Hallo", False),
    ("Ich möchte persönlich beraten werden", True),
    ("Plauen", True),
    ("Wie melde ich ein Gewerbe an?", False),
    ("Passende Förderung finden", True),
    ("Thüringen", True),
    ("nochmal von vorne", False),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def children(pid: int) -> List[Dict[str, Any]]:
    """Direct child processes of ``pid`` with their command lines (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) != pid:
                continue
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        found.append({"pid": int(entry.name), "cmdline": [c.decode(errors="replace") for c in cmdline if c]})
    return found


def child_with(pid: int, needle: str) -> Optional[int]:
    for child in children(pid):
        if any(needle in part for part in child["cmdline"]):
            return int(child["pid"])
    return None


def wait_ok(url: str, timeout: float) -> Optional[float]:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return time.perf_counter() - started
        except requests.RequestException:
            pass
        time.sleep(0.2)
    return None


def say(url: str, sender: str, text: str, timeout: float = 60) -> requests.Response:
    return requests.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                         timeout=timeout)


def probe_big_body(url: str, megabytes: int) -> Dict[str, Any]:
    body = b'{"sender": "gross", "message": "' + b"a" * (megabytes * 1_000_000) + b'"}'
    result: Dict[str, Any] = {"body_bytes": len(body)}
    latencies: List[float] = []
    done = threading.Event()

    def small_user() -> None:
        sender = f"klein-{uuid.uuid4().hex[:6]}"
        while not done.is_set():
            started = time.perf_counter()
            try:
                say(url, sender, "Hallo", timeout=120)
                latencies.append(time.perf_counter() - started)
            except requests.RequestException:
                latencies.append(float("inf"))
            time.sleep(0.2)

    thread = threading.Thread(target=small_user)
    thread.start()
    time.sleep(1.0)
    started = time.perf_counter()
    try:
        reply = requests.post(f"{url}/webhooks/rest/webhook", data=body, timeout=300,
                              headers={"Content-Type": "application/json"})
        result["status"] = reply.status_code
    except requests.RequestException as error:
        result["status"] = type(error).__name__
    result["big_request_seconds"] = round(time.perf_counter() - started, 2)
    time.sleep(1.0)
    done.set()
    thread.join()
    result["other_user_requests"] = len(latencies)
    result["other_user_worst_latency_s"] = round(max(latencies), 2) if latencies else None
    return result


def probe_kill_actions(url: str, serve_pid: int, action_health: str, users: int, duration: float) -> Dict[str, Any]:
    counts = {"sent": 0, "answered": 0, "technical_problem": 0, "lost": 0}
    lock = threading.Lock()
    stop_at = time.perf_counter() + duration

    def user(number: int) -> None:
        sender = f"last-{number}-{uuid.uuid4().hex[:6]}"
        step = 0
        while time.perf_counter() < stop_at:
            text, _ = CONVERSATION[step % len(CONVERSATION)]
            step += 1
            outcome = "lost"
            try:
                reply = say(url, sender, text)
                if reply.status_code == 200:
                    answer = "\n".join(m.get("text") or "" for m in reply.json())
                    outcome = "technical_problem" if messages.TECHNICAL_PROBLEM in answer else "answered"
            except (requests.RequestException, ValueError):
                time.sleep(0.5)  # connection refused comes back at once: don't spin
            with lock:
                counts["sent"] += 1
                counts[outcome] += 1

    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    for thread in threads:
        thread.start()
    time.sleep(duration / 3)
    victim = child_with(serve_pid, "rasa_sdk") or child_with(serve_pid, "bot.action_server")
    result: Dict[str, Any] = {"users": users, "duration_s": duration, "killed_pid": victim}
    killed_at = time.perf_counter()
    if victim:
        os.kill(victim, signal.SIGKILL)
        back = wait_ok(action_health, duration)
        result["action_server_back_after_s"] = round(back, 1) if back is not None else None
    for thread in threads:
        thread.join()
    result.update(counts)
    result["serve_still_running"] = Path(f"/proc/{serve_pid}").exists()
    result["rasa_serving_after"] = wait_ok(f"{url}/webhooks/rest/", 5) is not None
    result["actions_serving_after"] = wait_ok(action_health, 5) is not None
    result["seconds_from_kill_to_end"] = round(time.perf_counter() - killed_at, 1)
    return result


def process_facts(serve_pid: int, token: str, state_dir: Path) -> Dict[str, Any]:
    cmdlines = [" ".join(c["cmdline"]) for c in children(serve_pid)]
    modes = {}
    for path in sorted(state_dir.rglob("*")):
        modes[str(path.relative_to(state_dir))] = oct(stat.S_IMODE(path.stat().st_mode))
    return {"token_in_a_command_line": any(token in c for c in cmdlines),
            "state_dir_mode": oct(stat.S_IMODE(state_dir.stat().st_mode)), "modes": modes}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="Modell (Standard: das aktuelle aus bot.train)")
    parser.add_argument("--megabytes", type=int, default=96, help="Größe der großen Nachricht (10^6 Byte)")
    parser.add_argument("--skip-kill", action="store_true", help="nur Prozessfakten und große Nachricht")
    parser.add_argument("--users", type=int, default=4)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    if args.model is None:
        from bot.train import model_path

        args.model = model_path()
    state_dir = Path(tempfile.mkdtemp(prefix="gl-probe-"))
    token = uuid.uuid4().hex
    ports = {"GL_RASA_PORT": free_port(), "GL_ACTION_PORT": free_port(), "GL_WIDGET_PORT": free_port()}
    env = {**os.environ, **{k: str(v) for k, v in ports.items()}, "GL_STATE_DIR": str(state_dir),
           "GL_API_TOKEN": token, "GL_CALLBACK_DB": str(state_dir / "rueckrufe.db"),
           "GL_INBOX_DB": str(state_dir / "inbox.db")}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    env.pop("GL_DATABASE_URL", None)
    url = f"http://127.0.0.1:{ports['GL_RASA_PORT']}"
    action_health = f"http://127.0.0.1:{ports['GL_ACTION_PORT']}/health"
    serve = subprocess.Popen([sys.executable, "-m", "bot.serve", "--model", str(args.model)],
                             cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, start_new_session=True)
    report: Dict[str, Any] = {"state_dir": str(state_dir)}
    try:
        ready = wait_ok(f"{url}/webhooks/rest/", 240)
        if ready is None or wait_ok(action_health, 30) is None:
            print("bot serve wurde nicht bereit", file=sys.stderr)
            return 1
        report["ready_s"] = round(ready, 1)
        say(url, "warmup", "Hallo")
        report["process_facts"] = process_facts(serve.pid, token, state_dir)
        report["big_body"] = probe_big_body(url, args.megabytes)
        if not args.skip_kill:
            report["kill_actions"] = probe_kill_actions(url, serve.pid, action_health, args.users,
                                                        args.duration)
    finally:
        if serve.poll() is None:
            os.killpg(serve.pid, signal.SIGTERM)
            try:
                serve.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(serve.pid, signal.SIGKILL)
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
