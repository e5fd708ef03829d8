"""Who listens where in the production profile, kept in ``<state dir>/cluster.json``.

The balancer takes the public ports (``GL_RASA_PORT``, ``GL_ACTION_PORT``); replica *i*
serves Rasa on ``GL_REPLICA_PORT_BASE + i`` (default ``GL_RASA_PORT + 10``) and its action
server on ``GL_ACTION_REPLICA_PORT_BASE + i`` (default ``GL_ACTION_PORT + 10``). ``bot
reload`` reads the file to find the replicas and HAProxy's runtime socket.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Optional, Tuple

from bot.config import Settings

LAYOUT_FILE = "cluster.json"
DEFAULT_TELEGRAM_PATH = "/telegram"


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


@dataclass(frozen=True)
class Layout:
    host: str
    port: int  # public: REST channel (widget, bridge), Telegram webhook
    action_port: int  # internal: the replicas' action calls
    rasa_ports: Tuple[int, ...]
    action_ports: Tuple[int, ...]
    state_dir: Path
    telegram_port: Optional[int] = None  # the bridge's webhook server, if it runs
    telegram_path: str = DEFAULT_TELEGRAM_PATH

    @property
    def replicas(self) -> int:
        return len(self.rasa_ports)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def admin_socket(self) -> Path:
        return self.state_dir / "haproxy.sock"

    def replica_url(self, index: int) -> str:
        return f"http://{self.host}:{self.rasa_ports[index]}"

    def replica_name(self, index: int) -> str:
        """Server name in HAProxy's backend ``rasa`` (and in the log file names)."""
        return f"rasa{index}"

    def save(self) -> Path:
        path = self.state_dir / LAYOUT_FILE
        data = asdict(self)
        data["state_dir"] = str(self.state_dir)
        path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        return path

    @classmethod
    def load(cls, state_dir: Path) -> Optional["Layout"]:
        """The running cluster's layout, or None if none was started from ``state_dir``."""
        path = state_dir / LAYOUT_FILE
        if not path.is_file():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        data["state_dir"] = Path(data["state_dir"])
        data["rasa_ports"] = tuple(data["rasa_ports"])
        data["action_ports"] = tuple(data["action_ports"])
        return cls(**data)


def default_layout(settings: Settings, replicas: int, telegram: bool = False) -> Layout:
    rasa_base = _env_int("GL_REPLICA_PORT_BASE", settings.rasa_port + 10)
    action_base = _env_int("GL_ACTION_REPLICA_PORT_BASE", settings.action_port + 10)
    return Layout(
        host=settings.host, port=settings.rasa_port, action_port=settings.action_port,
        rasa_ports=tuple(rasa_base + i for i in range(replicas)),
        action_ports=tuple(action_base + i for i in range(replicas)),
        state_dir=settings.state_dir,
        telegram_port=_env_int("TELEGRAM_WEBHOOK_PORT", 8088) if telegram else None,
    )
