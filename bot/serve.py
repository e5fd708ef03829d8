"""Start the action server and the Rasa server on loopback and keep them running.

Used by ``make run`` (foreground, Ctrl-C stops both), by the end-to-end tests and by
the benchmark (:class:`Stack`). Logs go to ``<state dir>/logs/``: each process's output is
collected through a pipe, redacted and written to a private, daily rotated file
(:class:`bot.log_privacy.PrivateLogHandler`).
"""

from __future__ import annotations

import argparse
import os
import select
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Dict, List, Optional
from urllib.parse import urlparse

from bot.config import PROJECT_ROOT, Settings, load_settings
from bot.log_privacy import PrivateLogHandler
from bot.redaktion.settings import console_port
from bot.retention import DailyPurge, purge_old_conversations
from bot.supervise import Supervisor
from bot.tokens import action_token, api_token
from bot.train import ensure_model, model_path

__all__ = ["Stack", "action_command", "action_token", "api_token", "rasa_command", "runtime_env",
           "start_stack", "widget_command", "telegram_command", "wait_until_ready", "main"]


RASA_LAUNCHER = "bot.rasa_launcher"
PRIVATE_UMASK = 0o077  # files of the bot (SQLite, logs, tokens): owner only
MAX_LOG_LINE_BYTES = 64 * 1024

PERFORMANCE_ENV = {
    "TF_INTRA_OP_PARALLELISM_THREADS": "1",
    "TF_INTER_OP_PARALLELISM_THREADS": "1",
    "MALLOC_ARENA_MAX": "2",
}


def endpoints_file(settings: Settings) -> Path:
    name = "endpoints.production.yml" if settings.production else "endpoints.yml"
    return PROJECT_ROOT / name


def runtime_env(settings: Settings) -> Dict[str, str]:
    """Environment for both servers; fills the ${…} variables of the endpoints files."""
    env = dict(os.environ)
    env.update(
        GL_ACTION_URL=settings.action_url,
        # shared secret: Rasa sends it (endpoints*.yml), the action server requires it
        GL_ACTION_TOKEN=action_token(settings),
        GL_TRACKER_DB=str(settings.tracker_db),
        GL_STATE_DIR=str(settings.state_dir),
        GL_DIRECTORY_DB=str(settings.directory_db),
        GL_CALLBACK_DB=str(settings.callback_db),
        GL_CALLBACK_RETENTION_DAYS=str(settings.callback_retention_days),
        # the REST channel refuses browser requests from other origins (same list as --cors)
        GL_CORS_ORIGINS=" ".join(settings.cors_origins),
        SANIC_HOST=settings.host,  # rasa_sdk binds to this instead of 0.0.0.0
        TF_CPP_MIN_LOG_LEVEL=env.get("TF_CPP_MIN_LOG_LEVEL", "2"),
        RASA_TELEMETRY_ENABLED="false",
        PYTHONUNBUFFERED="1",
    )
    # the Telegram bridge talks to this stack's REST channel unless told otherwise
    env.setdefault("TELEGRAM_RASA_URL", settings.rasa_url)
    # Measured (docs/messwerte.md): small models run fastest single-threaded, and
    # fewer malloc arenas keep the server's memory down. Overridable from outside.
    for name, value in PERFORMANCE_ENV.items():
        env.setdefault(name, value)
    if settings.production:
        db = urlparse(settings.database_url or "")
        redis = urlparse(settings.redis_url)
        env.update(
            GL_DB_HOST=db.hostname or "127.0.0.1",
            GL_DB_PORT=str(db.port or 5432),
            GL_DB_NAME=(db.path or "/").lstrip("/") or "gruendungslotse",
            GL_DB_USER=db.username or "postgres",
            GL_DB_PASSWORD=db.password or "",
            GL_REDIS_HOST=redis.hostname or "127.0.0.1",
            GL_REDIS_PORT=str(redis.port or 6379),
            GL_REDIS_DB=(redis.path or "/0").lstrip("/") or "0",
        )
    return env


def action_command(settings: Settings) -> List[str]:
    """rasa_sdk's action server through bot/action_server.py (redacted logs)."""
    return [sys.executable, "-m", "bot.action_server", "--actions", "actions",
            "--port", str(settings.action_port)]


def rasa_command(settings: Settings, model: Path, token: str) -> List[str]:
    """``rasa run`` through bot/rasa_launcher.py (redacted logs); output goes to the Stack's pipe.

    ``token`` is *not* put on the command line (``ps`` shows it to every user): the launcher
    adds ``--auth-token`` inside the process, from ``GL_API_TOKEN`` – :meth:`Stack.spawn` sets
    it to the Stack's token – or ``<state dir>/api-token``. The parameter stays for callers.
    """
    return [
        sys.executable, "-m", RASA_LAUNCHER, "run",
        "--model", str(model),
        "--endpoints", str(endpoints_file(settings)),
        "--credentials", str(PROJECT_ROOT / "credentials.yml"),
        "--interface", settings.host, "--port", str(settings.rasa_port),
        "--enable-api",
        "--cors", *settings.cors_origins,
    ]


def widget_command(settings: Settings) -> List[str]:
    """Static web server for the chat widget and its demo page (bot/channels/webserver.py)."""
    return [sys.executable, "-m", "bot.channels.webserver",
            "--host", settings.host, "--port", str(settings.widget_port),
            "--rasa-url", settings.browser_rasa_url]


def redaktion_command(settings: Settings) -> List[str]:
    """Redaktion web console (bot/redaktion) on ``GL_REDAKTION_PORT`` (default 8081; 0 = off)."""
    return [sys.executable, "-m", "bot.redaktion", "--host", settings.host, "--port", str(console_port())]


def telegram_enabled() -> bool:
    """The Telegram bridge runs when ``TELEGRAM_BOT_TOKEN`` is set (bot/channels/telegram)."""
    return bool(os.environ.get("TELEGRAM_BOT_TOKEN", "").strip())


def telegram_command() -> List[str]:
    """Telegram bridge: long polling, or webhook mode with ``TELEGRAM_WEBHOOK_URL``."""
    return [sys.executable, "-m", "bot.channels.telegram"]


def wait_until_ready(url: str, timeout: float, process: subprocess.Popen) -> float:
    """Poll ``url`` until it answers 200; return the seconds it took."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"Prozess beendet (Exit-Code {process.returncode}) vor {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                if reply.status == 200:
                    return time.perf_counter() - started
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.25)
    raise TimeoutError(f"{url} nicht bereit nach {timeout:.0f} s")


@dataclass
class Stack:
    """The running servers: processes, the commands they were started with, their log pumps."""

    settings: Settings
    token: str
    processes: Dict[str, subprocess.Popen] = field(default_factory=dict)
    ready_seconds: Dict[str, float] = field(default_factory=dict)
    log_pumps: Dict[str, threading.Thread] = field(default_factory=dict)
    commands: Dict[str, List[str]] = field(default_factory=dict)
    extra_env: Dict[str, str] = field(default_factory=dict)  # e.g. shared paths of a replica

    @property
    def log_dir(self) -> Path:
        return self.settings.state_dir / "logs"

    def start_actions(self, timeout: float = 60) -> None:
        self.spawn("actions", action_command(self.settings))
        self.wait_ready("actions", timeout)

    def start_rasa(self, model: Path, timeout: float = 180) -> None:
        self.spawn("rasa", rasa_command(self.settings, model, self.token))
        self.wait_ready("rasa", timeout)

    def health_url(self, name: str) -> str:
        if name == "actions":
            return f"http://{self.settings.host}:{self.settings.action_port}/health"
        if name == "widget":
            return f"http://{self.settings.host}:{self.settings.widget_port}/healthz"
        if name == "redaktion":
            return f"http://{self.settings.host}:{console_port()}/redaktion/healthz"
        return f"{self.settings.rasa_url}/webhooks/rest/"

    def spawn(self, name: str, command: List[str]) -> None:
        """Start ``command`` in its own session; its output goes to ``<log dir>/<name>.log``.

        Files it creates are private (umask 077); a Rasa launcher gets the API token in its
        environment (never on the command line).
        """
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.chmod(0o700)
        self.commands[name] = list(command)
        env = {**runtime_env(self.settings), **self.extra_env}
        if RASA_LAUNCHER in command:
            env["GL_API_TOKEN"] = self.token
        self.processes[name] = process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, umask=PRIVATE_UMASK,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
        )
        pump = threading.Thread(target=pump_output, name=f"log-{name}", daemon=True,
                                args=(process.stdout, PrivateLogHandler(self.log_dir / f"{name}.log")))
        pump.start()
        self.log_pumps[name] = pump

    def restart(self, name: str) -> None:
        """Start ``name`` again with the command it was started with (after it died or was stopped)."""
        self.stop(name)
        self.spawn(name, self.commands[name])

    def flush_logs(self, timeout: float = 5.0) -> None:
        """Wait until the pumps have taken everything the processes wrote so far (tests, probes)."""
        deadline = time.monotonic() + timeout
        pipes = [p.stdout for p in self.processes.values() if p.stdout is not None and not p.stdout.closed]
        while pipes and time.monotonic() < deadline:
            try:
                pending, _, _ = select.select(pipes, [], [], 0)
            except (OSError, ValueError):  # a pipe closed meanwhile
                break
            if not pending:
                break
            time.sleep(0.05)
        time.sleep(0.05)  # the line just read is being written

    def wait_ready(self, name: str, timeout: float) -> None:
        try:
            self.ready_seconds[name] = wait_until_ready(
                self.health_url(name), timeout, self.processes[name])
        except Exception:
            self.stop()
            raise

    def stop(self, name: Optional[str] = None) -> None:
        """Stop one server (or all): SIGTERM to its process group, SIGKILL after 15 s."""
        for key in [name] if name else list(self.processes):
            process = self.processes.pop(key, None)
            if process is None or process.poll() is not None:
                continue
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for key in [name] if name else list(self.log_pumps):
            pump = self.log_pumps.pop(key, None)
            if pump is not None:
                pump.join(timeout=5)  # ends at EOF: the last lines are in the file


def pump_output(stream: IO[bytes], handler: PrivateLogHandler) -> None:
    """Copy a process's output line by line into its log file (redacted) until EOF."""
    try:
        for raw in iter(lambda: stream.readline(MAX_LOG_LINE_BYTES), b""):  # huge lines come in parts
            handler.write_line(raw.decode("utf-8", errors="replace").rstrip("\r\n"))
    finally:
        stream.close()
        handler.close()


def secure_state_dir(settings: Settings) -> None:
    """State directory 700, everything in it 600/700 – also what older versions left readable.

    The SQLite files named in the settings are included when they live elsewhere.
    """
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    paths = [settings.state_dir, *settings.state_dir.rglob("*"), settings.tracker_db, settings.callback_db]
    for path in paths:
        if path.is_symlink() or not path.exists() or path.stat().st_uid != os.getuid():
            continue
        path.chmod(0o700 if path.is_dir() else 0o600)


def ensure_directory(settings: Settings) -> None:
    """The action server needs the contact directory; build it if missing or outdated."""
    from bot.directory.build import main as build_directory

    if build_directory(["--if-changed", "--db", str(settings.directory_db)]) != 0:
        raise SystemExit("Kontaktverzeichnis fehlerhaft – siehe Meldung oben.")


def start_stack(
    settings: Settings, model: Path, with_actions: bool = True, with_widget: bool = False
) -> Stack:
    """Start the servers in parallel (the small ones are ready long before Rasa)."""
    secure_state_dir(settings)
    ensure_directory(settings)
    stack = Stack(settings=settings, token=api_token(settings))
    try:
        if with_actions:
            stack.spawn("actions", action_command(settings))
        if with_widget:
            stack.spawn("widget", widget_command(settings))
        stack.spawn("rasa", rasa_command(settings, model, stack.token))
        if with_actions:
            stack.wait_ready("actions", 60)
        if with_widget:
            stack.wait_ready("widget", 30)
        stack.wait_ready("rasa", 180)
    except BaseException:  # also Ctrl-C or SIGTERM during the start: leave no process behind
        stack.stop()
        raise
    return stack


def print_instructions(stack: Stack) -> None:
    s = stack.settings
    store = "PostgreSQL + Redis" if s.production else f"SQLite ({s.tracker_db})"
    telegram = (f"Brücke läuft, Protokoll {stack.log_dir}/telegram.log"
                if "telegram" in stack.processes else "aus (TELEGRAM_BOT_TOKEN setzen)")
    redaktion = (f"http://{s.host}:{console_port()}/redaktion (erster Zugang: bot nutzer anlegen)"
                 if "redaktion" in stack.processes else "aus (GL_REDAKTION_PORT=0)")
    print(f"""
Gründungslotse läuft (bereit nach {stack.ready_seconds.get('rasa', 0):.0f} s).
  Im Terminal chatten:   make chat        (oder: .venv/bin/bot chat)
  REST-Schnittstelle:    POST {s.rasa_url}/webhooks/rest/webhook
                         {{"sender": "anna", "message": "Wie melde ich ein Gewerbe an?"}}
  Beispiel:  curl -s -XPOST {s.rasa_url}/webhooks/rest/webhook \\
               -H 'Content-Type: application/json' -d '{{"sender":"anna","message":"Hallo"}}'
  Website-Widget (Demo): http://{s.host}:{s.widget_port}/
  Redaktionskonsole:     {redaktion}
  Telegram:              {telegram}
  Aktionsserver:         {s.action_url}
  Gespräche gespeichert: {store}
  Protokolle:            {stack.log_dir}/
Beenden mit Strg+C.""", flush=True)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Startet Rasa- und Aktionsserver.")
    parser.add_argument("--no-train", action="store_true", help="vorhandenes Modell nehmen")
    parser.add_argument("--model", type=Path, help="bestimmtes Modell laden (z. B. für Vergleiche)")
    args = parser.parse_args(argv)
    os.umask(PRIVATE_UMASK)
    settings = load_settings()
    secure_state_dir(settings)
    model = args.model or (model_path() if args.no_train else ensure_model())
    if not model.exists():
        print(f"Modell {model} fehlt – bitte `make train` ausführen.", file=sys.stderr)
        return 1
    removed = purge_old_conversations(settings)
    if removed:
        print(f"Aufbewahrungsfrist: {removed} alte Gesprächsereignisse gelöscht.")
    stopping = False

    def _stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    def _stop_while_starting(*_: object) -> None:
        raise KeyboardInterrupt  # start_stack stops what it has started

    signal.signal(signal.SIGTERM, _stop_while_starting)
    try:
        stack = start_stack(settings, model, with_widget=True)
    except KeyboardInterrupt:
        print("Start abgebrochen.")
        return 0
    if console_port():
        stack.spawn("redaktion", redaktion_command(settings))
        stack.wait_ready("redaktion", 60)
    if telegram_enabled():
        stack.spawn("telegram", telegram_command())  # no readiness wait: it polls Telegram
    print_instructions(stack)
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    supervisor = Supervisor(stack, log_hint=str(stack.log_dir))
    retention = DailyPurge(settings)
    try:
        while not stopping:
            supervisor.check()  # a dead process is restarted (with backoff); the others keep serving
            retention.run_if_due()
            time.sleep(0.5)
    finally:
        stack.stop()
    print("Gestoppt.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
