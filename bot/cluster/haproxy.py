"""HAProxy: its configuration from ``deploy/haproxy/haproxy.cfg.template`` and its runtime API.

The runtime API (a Unix socket, ``stats socket … level admin``) is how ``bot reload``
takes one replica out of the balancer, waits until its requests are done, and puts it
back (bot/cluster/rolling.py).
"""

from __future__ import annotations

import csv
import io
import shutil
import socket
import time
from pathlib import Path
from string import Template
from typing import Dict, List, Optional, Sequence

from bot.cluster.layout import Layout
from bot.config import PROJECT_ROOT

TEMPLATE = PROJECT_ROOT / "deploy" / "haproxy" / "haproxy.cfg.template"


def haproxy_binary() -> str:
    found = shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else "")
    if not found:
        raise SystemExit("HAProxy fehlt: `apt-get install haproxy` (macht `make run-production`).")
    return found


RASA_MAXCONN = 4  # requests at once per Rasa replica (more wait in HAProxy's queue)


def _servers(prefix: str, hosts: Sequence[str], ports: Sequence[int], options: str = "") -> str:
    return "\n".join(f"    server {prefix}{i} {host}:{port} check{options}"
                     for i, (host, port) in enumerate(zip(hosts, ports)))


def render_config(layout: Layout, rasa_hosts: Optional[Sequence[str]] = None,
                  action_hosts: Optional[Sequence[str]] = None, telegram_host: str = "127.0.0.1",
                  bind_host: Optional[str] = None, admin: Optional[str] = None,
                  server_options: str = "", extra: str = "") -> str:
    """The configuration for ``layout``; the optional hosts are for containers (one host
    per service, deploy/compose/) instead of everything on ``layout.host``."""
    telegram = (f"    server telegram0 {telegram_host}:{layout.telegram_port} check"
                if layout.telegram_port else "")
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        host=bind_host or layout.host, port=layout.port, action_port=layout.action_port,
        admin_socket=admin or layout.admin_socket, telegram_path=layout.telegram_path,
        rasa_servers=_servers("rasa", rasa_hosts or [layout.host] * layout.replicas,
                              layout.rasa_ports, f" maxconn {RASA_MAXCONN}{server_options}"),
        rasa_maxconn=RASA_MAXCONN,
        action_servers=_servers("actions", action_hosts or [layout.host] * layout.replicas,
                                layout.action_ports, server_options),
        telegram_servers=telegram + (server_options if telegram else ""),
        extra=extra,
    )


def write_config(layout: Layout) -> Path:
    path = layout.state_dir / "haproxy.cfg"
    path.write_text(render_config(layout), encoding="utf-8")
    return path


def haproxy_command(config: Path) -> List[str]:
    """Foreground (``-db``), so the launcher supervises it like the other servers."""
    return [haproxy_binary(), "-db", "-f", str(config)]


class HAProxyAdmin:
    """A few commands of HAProxy's runtime API."""

    def __init__(self, socket_path: Path, timeout: float = 5.0) -> None:
        self.socket_path = socket_path
        self.timeout = timeout

    def command(self, line: str) -> str:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(self.timeout)
            sock.connect(str(self.socket_path))
            sock.sendall(line.encode() + b"\n")
            chunks = []
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        return b"".join(chunks).decode(errors="replace")

    def stats(self, backend: str) -> Dict[str, Dict[str, str]]:
        """``show stat`` rows of ``backend``'s servers, by server name."""
        text = self.command("show stat").lstrip("# ")
        rows = csv.DictReader(io.StringIO(text))
        return {row["svname"]: row for row in rows
                if row.get("pxname") == backend and row["svname"] not in ("FRONTEND", "BACKEND")}

    def set_state(self, backend: str, server: str, state: str) -> None:
        """``ready``, ``drain`` or ``maint``."""
        reply = self.command(f"set server {backend}/{server} state {state}").strip()
        if reply:
            raise RuntimeError(f"HAProxy: {reply}")

    def wait_idle(self, backend: str, server: str, timeout: float = 60) -> None:
        """Until the server has no request in progress or queued."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            row = self.stats(backend)[server]
            if int(row.get("scur") or 0) == 0 and int(row.get("qcur") or 0) == 0:
                return
            time.sleep(0.1)
        raise TimeoutError(f"{backend}/{server} noch beschäftigt nach {timeout:.0f} s")

    def wait_status(self, backend: str, server: str, prefix: str, timeout: float = 60) -> None:
        """Until HAProxy's health check reports a status starting with ``prefix`` (``UP``)."""
        deadline = time.monotonic() + timeout
        status = "?"
        while time.monotonic() < deadline:
            status = self.stats(backend)[server]["status"]
            if status.startswith(prefix):
                return
            time.sleep(0.1)
        raise TimeoutError(f"{backend}/{server}: Status {status}, erwartet {prefix}")
