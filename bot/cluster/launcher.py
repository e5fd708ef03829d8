"""Production profile on one machine: N Rasa replicas + N action servers behind HAProxy.

``make run-production REPLICAS=2`` (= ``python -m bot.cluster --replicas 2``). Needs
``GL_DATABASE_URL`` (PostgreSQL, created if missing) and Redis (``GL_REDIS_URL``). The
processes are started with bot/serve.py's commands and environment; HAProxy's
configuration comes from ``deploy/haproxy/haproxy.cfg.template``. A replica or action
server that dies is started again; requests meanwhile go to the others.
"""

from __future__ import annotations

import argparse
import dataclasses
import signal
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional

from bot.cluster.haproxy import HAProxyAdmin, haproxy_command, write_config
from bot.cluster.layout import Layout, default_layout
from bot.config import Settings, load_settings
from bot.serve import (
    Stack, action_command, action_token, api_token, ensure_directory, rasa_command, redaktion_command,
    telegram_command, telegram_enabled, widget_command,
)
from bot.redaktion.settings import console_port

RESTART_DELAY_S = 2.0


def ensure_database(database_url: str) -> None:
    """Create the PostgreSQL database named in ``GL_DATABASE_URL`` if it does not exist."""
    import psycopg2
    from psycopg2 import sql

    try:
        psycopg2.connect(database_url).close()
        return
    except psycopg2.OperationalError as error:
        if "does not exist" not in str(error):
            raise SystemExit(f"PostgreSQL nicht erreichbar ({database_url.split('@')[-1]}): {error}")
    base, name = database_url.rsplit("/", 1)
    admin = psycopg2.connect(f"{base}/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()


class Cluster:
    """The processes of the production profile and their supervision."""

    def __init__(self, settings: Settings, layout: Layout, model: Path,
                 with_widget: bool = False, with_telegram: bool = False, with_console: bool = False) -> None:
        self.settings = settings
        self.layout = layout
        self.model = model
        self.token = api_token(settings)
        # one action secret for all replicas and action servers (each has its own state folder)
        shared = {"GL_INBOX_DB": str(settings.state_dir / "inbox.db"), "GL_ACTION_TOKEN": action_token(settings)}
        self.rasa: List[Stack] = [
            Stack(settings=self._replica_settings(i), token=self.token, extra_env=shared)
            for i in range(layout.replicas)]
        self.actions: List[Stack] = [
            Stack(settings=self._action_settings(i), token=self.token, extra_env=shared)
            for i in range(layout.replicas)]
        # the edge: HAProxy, widget, Telegram bridge – all talk to the balancer
        self.edge = Stack(settings=settings, token=self.token, extra_env={
            **shared, "TELEGRAM_RASA_URL": layout.url,
            **({"TELEGRAM_WEBHOOK_PORT": str(layout.telegram_port)} if layout.telegram_port else {}),
        })
        self.with_widget = with_widget
        self.with_telegram = with_telegram
        self.with_console = with_console
        self.admin = HAProxyAdmin(layout.admin_socket)

    def _replica_settings(self, index: int) -> Settings:
        """Rasa replica ``index``: own port and log folder, actions via the balancer."""
        return dataclasses.replace(
            self.settings, rasa_port=self.layout.rasa_ports[index],
            action_port=self.layout.action_port,
            state_dir=self.settings.state_dir / self.layout.replica_name(index))

    def _action_settings(self, index: int) -> Settings:
        return dataclasses.replace(
            self.settings, action_port=self.layout.action_ports[index],
            state_dir=self.settings.state_dir / f"actions{index}")

    # -- start and stop ------------------------------------------------------------

    def start(self, timeout: float = 300) -> "Cluster":
        self.settings.state_dir.mkdir(parents=True, exist_ok=True)
        ensure_directory(self.settings)
        if self.settings.database_url:
            ensure_database(self.settings.database_url)
        self.layout.save()
        config = write_config(self.layout)
        try:
            for stack in self.actions:
                stack.settings.state_dir.mkdir(parents=True, exist_ok=True)
                stack.spawn("actions", action_command(stack.settings))
            self.edge.spawn("haproxy", haproxy_command(config))
            for index, stack in enumerate(self.rasa):
                stack.settings.state_dir.mkdir(parents=True, exist_ok=True)
                self.start_replica(index, wait=False)
            if self.with_widget:
                self.edge.spawn("widget", widget_command(
                    dataclasses.replace(self.settings, public_rasa_url=self.settings.public_rasa_url
                                        or self.layout.url)))
            if self.with_telegram:
                self.edge.spawn("telegram", telegram_command())
            if self.with_console:  # the Redaktion console (users/audit in PostgreSQL here)
                self.edge.spawn("redaktion", redaktion_command(self.settings))
            for stack in self.actions:
                stack.wait_ready("actions", 60)
            for stack in self.rasa:
                stack.wait_ready("rasa", timeout)
            if self.with_widget:
                self.edge.wait_ready("widget", 30)
            if self.with_console:
                self.edge.wait_ready("redaktion", 60)
            for index in range(self.layout.replicas):
                self.admin.wait_status("rasa", self.layout.replica_name(index), "UP", 30)
            for index in range(self.layout.replicas):
                self.admin.wait_status("actions", f"actions{index}", "UP", 30)
            self.edge.wait_ready("haproxy", 30)  # the balancer's /webhooks/rest/ answers
        except BaseException:
            self.stop()
            raise
        return self

    def start_replica(self, index: int, wait: bool = True, timeout: float = 300) -> None:
        stack = self.rasa[index]
        stack.spawn("rasa", rasa_command(stack.settings, self.model, self.token))
        if wait:
            stack.wait_ready("rasa", timeout)

    def stop(self) -> None:
        for stack in [self.edge, *self.rasa, *self.actions]:
            stack.stop()

    @property
    def all_stacks(self) -> List[Stack]:
        return [*self.rasa, *self.actions, self.edge]

    def dead(self) -> Dict[str, Stack]:
        """Processes that have exited, by a readable name."""
        found = {}
        for index, stack in enumerate(self.rasa):
            if "rasa" in stack.processes and stack.processes["rasa"].poll() is not None:
                found[f"rasa{index}"] = stack
        for index, stack in enumerate(self.actions):
            if "actions" in stack.processes and stack.processes["actions"].poll() is not None:
                found[f"actions{index}"] = stack
        for name, process in self.edge.processes.items():
            if process.poll() is not None:
                found[name] = self.edge
        return found

    def restart(self, name: str) -> None:
        """Start a dead process again (replicas wait for nobody: HAProxy adds them when UP)."""
        if name.startswith("rasa"):
            self.rasa[int(name[4:])].processes.pop("rasa", None)
            self.start_replica(int(name[4:]), wait=False)
        elif name.startswith("actions"):
            stack = self.actions[int(name[7:])]
            stack.processes.pop("actions", None)
            stack.spawn("actions", action_command(stack.settings))
        else:  # HAProxy, widget, Telegram bridge, Redaktion console: the command they were started with
            self.edge.restart(name)


def main(argv: Optional[List[str]] = None) -> int:
    from bot.retention import DailyPurge, purge_old_conversations
    from bot.train import model_path

    parser = argparse.ArgumentParser(prog="python -m bot.cluster",
                                     description="Produktionsprofil: Replikate hinter HAProxy.")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--model", type=Path, help="dieses Modell statt des aktuellen")
    args = parser.parse_args(argv)
    settings = load_settings()
    if not settings.production:
        print("GL_DATABASE_URL fehlt (z. B. postgresql://postgres@127.0.0.1:5432/gruendungslotse).",
              file=sys.stderr)
        return 2
    model = args.model or model_path()
    if not model.exists():
        print(f"Modell {model} fehlt – bitte `make train` ausführen.", file=sys.stderr)
        return 1
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    ensure_database(settings.database_url or "")
    removed = purge_old_conversations(settings)
    if removed:
        print(f"Aufbewahrungsfrist: {removed} alte Gesprächsereignisse gelöscht.")
    layout = default_layout(settings, args.replicas, telegram=telegram_enabled())
    cluster = Cluster(settings, layout, model, with_widget=True, with_telegram=telegram_enabled(),
                      with_console=bool(console_port())).start()
    print(f"""
Gründungslotse (Produktionsprofil) läuft: {layout.replicas} Rasa-Replikate + {layout.replicas} Aktionsserver hinter HAProxy.
  REST/Widget/Telegram-Webhook: {layout.url}/webhooks/rest/webhook  (Telegram: {layout.url}{layout.telegram_path})
  Replikate:   {', '.join(layout.replica_url(i) for i in range(layout.replicas))}
  Redaktion:   {f"http://{settings.host}:{console_port()}/redaktion" if console_port() else "aus"}
  HAProxy:     Konfiguration {layout.state_dir}/haproxy.cfg, Laufzeit-API {layout.admin_socket}
  Modell neu laden ohne Ausfall: .venv/bin/bot reload
  Protokolle:  {layout.state_dir}/*/logs/ und {layout.state_dir}/logs/
Beenden mit Strg+C.""", flush=True)
    stopping = False

    def _stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        retention = DailyPurge(settings)
        while not stopping:
            retention.run_if_due()
            for name in cluster.dead():
                print(f"{name} wurde beendet – Neustart in {RESTART_DELAY_S:.0f} s", file=sys.stderr)
                time.sleep(RESTART_DELAY_S)
                cluster.restart(name)
            time.sleep(0.5)
    finally:
        cluster.stop()
    print("Gestoppt.")
    return 0
