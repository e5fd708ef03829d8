"""Start the action server and the Rasa server on loopback and keep them running.

Used by ``make run`` (foreground, Ctrl-C stops both), by the end-to-end tests and by
the benchmark (:class:`Stack`). Logs go to ``<state dir>/logs/``.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional
from urllib.parse import urlparse

from bot.config import PROJECT_ROOT, Settings, load_settings
from bot.retention import purge_old_conversations
from bot.train import ensure_model, model_path


PERFORMANCE_ENV = {
    "TF_INTRA_OP_PARALLELISM_THREADS": "1",
    "TF_INTER_OP_PARALLELISM_THREADS": "1",
    "MALLOC_ARENA_MAX": "2",
}


def api_token(settings: Settings) -> str:
    """``GL_API_TOKEN`` or a random token kept in ``<state dir>/api-token`` (mode 600)."""
    token = os.environ.get("GL_API_TOKEN", "").strip()
    if token:
        return token
    path = settings.state_dir / "api-token"
    if path.exists():
        return path.read_text().strip()
    token = secrets.token_urlsafe(24)
    path.write_text(token)
    path.chmod(0o600)
    return token


def endpoints_file(settings: Settings) -> Path:
    name = "endpoints.production.yml" if settings.production else "endpoints.yml"
    return PROJECT_ROOT / name


def runtime_env(settings: Settings) -> Dict[str, str]:
    """Environment for both servers; fills the ${…} variables of the endpoints files."""
    env = dict(os.environ)
    env.update(
        GL_ACTION_URL=settings.action_url,
        GL_TRACKER_DB=str(settings.tracker_db),
        GL_STATE_DIR=str(settings.state_dir),
        GL_DIRECTORY_DB=str(settings.directory_db),
        GL_CALLBACK_DB=str(settings.callback_db),
        GL_CALLBACK_RETENTION_DAYS=str(settings.callback_retention_days),
        SANIC_HOST=settings.host,  # rasa_sdk binds to this instead of 0.0.0.0
        TF_CPP_MIN_LOG_LEVEL=env.get("TF_CPP_MIN_LOG_LEVEL", "2"),
        RASA_TELEMETRY_ENABLED="false",
        PYTHONUNBUFFERED="1",
    )
    # the Telegram bridge talks to this stack's REST channel unless told otherwise
    env.setdefault("TELEGRAM_RASA_URL", settings.rasa_url)
    # Measured (README "Messwerte"): small models run fastest single-threaded, and
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
    return [sys.executable, "-m", "rasa_sdk", "--actions", "actions",
            "--port", str(settings.action_port)]


def rasa_command(settings: Settings, model: Path, token: str) -> List[str]:
    return [
        sys.executable, "-m", "rasa", "run",
        "--model", str(model),
        "--endpoints", str(endpoints_file(settings)),
        "--credentials", str(PROJECT_ROOT / "credentials.yml"),
        "--interface", settings.host, "--port", str(settings.rasa_port),
        # "=" form: a token may start with "-", which argparse would take for an option
        "--enable-api", f"--auth-token={token}",
        "--cors", *settings.cors_origins,
        "--log-file", str(settings.state_dir / "logs" / "rasa-internal.log"),
    ]


def widget_command(settings: Settings) -> List[str]:
    """Static web server for the chat widget and its demo page (bot/channels/webserver.py)."""
    return [sys.executable, "-m", "bot.channels.webserver",
            "--host", settings.host, "--port", str(settings.widget_port),
            "--rasa-url", settings.browser_rasa_url]


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
    """The running pair of servers."""

    settings: Settings
    token: str
    processes: Dict[str, subprocess.Popen] = field(default_factory=dict)
    ready_seconds: Dict[str, float] = field(default_factory=dict)

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
        return f"{self.settings.rasa_url}/webhooks/rest/"

    def spawn(self, name: str, command: List[str]) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"{name}.log", "ab")
        self.processes[name] = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=runtime_env(self.settings),
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )

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


def ensure_directory(settings: Settings) -> None:
    """The action server needs the contact directory; build it if missing or outdated."""
    from bot.directory.build import main as build_directory

    if build_directory(["--if-changed", "--db", str(settings.directory_db)]) != 0:
        raise SystemExit("Kontaktverzeichnis fehlerhaft – siehe Meldung oben.")


def start_stack(
    settings: Settings, model: Path, with_actions: bool = True, with_widget: bool = False
) -> Stack:
    """Start the servers in parallel (the small ones are ready long before Rasa)."""
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    ensure_directory(settings)
    stack = Stack(settings=settings, token=api_token(settings))
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
    return stack


def print_instructions(stack: Stack) -> None:
    s = stack.settings
    store = "PostgreSQL + Redis" if s.production else f"SQLite ({s.tracker_db})"
    telegram = (f"Brücke läuft, Protokoll {stack.log_dir}/telegram.log"
                if "telegram" in stack.processes else "aus (TELEGRAM_BOT_TOKEN setzen)")
    print(f"""
Gründungslotse läuft (bereit nach {stack.ready_seconds.get('rasa', 0):.0f} s).
  Im Terminal chatten:   make chat        (oder: .venv/bin/bot chat)
  REST-Schnittstelle:    POST {s.rasa_url}/webhooks/rest/webhook
                         {{"sender": "anna", "message": "Wie melde ich ein Gewerbe an?"}}
  Beispiel:  curl -s -XPOST {s.rasa_url}/webhooks/rest/webhook \\
               -H 'Content-Type: application/json' -d '{{"sender":"anna","message":"Hallo"}}'
  Website-Widget (Demo): http://{s.host}:{s.widget_port}/
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
    settings = load_settings()
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    model = args.model or (model_path() if args.no_train else ensure_model())
    if not model.exists():
        print(f"Modell {model} fehlt – bitte `make train` ausführen.", file=sys.stderr)
        return 1
    removed = purge_old_conversations(settings)
    if removed:
        print(f"Aufbewahrungsfrist: {removed} alte Gesprächsereignisse gelöscht.")
    stack = start_stack(settings, model, with_widget=True)
    if telegram_enabled():
        stack.spawn("telegram", telegram_command())  # no readiness wait: it polls Telegram
    print_instructions(stack)
    stopping = False

    def _stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        while not stopping:
            for name, process in stack.processes.items():
                if process.poll() is not None:
                    print(f"{name} wurde beendet (Exit-Code {process.returncode}), "
                          f"siehe {stack.log_dir}/{name}.log", file=sys.stderr)
                    stopping = True
            time.sleep(0.5)
    finally:
        stack.stop()
    print("Gestoppt.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
