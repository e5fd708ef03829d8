"""Writes ``deploy/compose/haproxy.cfg`` from the same template as ``make run-production``.

    .venv/bin/python -m bot.cluster.compose          # after changing the template
    .venv/bin/python -m bot.cluster.compose --check  # exit 1 if the file is out of date

The compose file (deploy/compose/compose.yaml) runs every service in its own container:
replicas ``rasa1``/``rasa2`` and ``actions1``/``actions2`` on the ports below, HAProxy in
front, the Telegram bridge as ``telegram``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.cluster.haproxy import render_config
from bot.cluster.layout import Layout
from bot.config import PROJECT_ROOT

COMPOSE_CFG = PROJECT_ROOT / "deploy" / "compose" / "haproxy.cfg"
REPLICAS = 2
DOCKER_RESOLVERS = """resolvers docker
    nameserver dns 127.0.0.11:53
    hold valid 5s
"""


def compose_config() -> str:
    layout = Layout(host="0.0.0.0", port=8080, action_port=5056,
                    rasa_ports=(5005,) * REPLICAS, action_ports=(5055,) * REPLICAS,
                    state_dir=Path("/var/lib/haproxy"), telegram_port=8088)
    return render_config(
        layout, rasa_hosts=[f"rasa{i + 1}" for i in range(REPLICAS)],
        action_hosts=[f"actions{i + 1}" for i in range(REPLICAS)], telegram_host="telegram",
        admin="/var/lib/haproxy/admin.sock",
        # containers come and go: resolve their names through Docker's DNS, start without them
        server_options=" resolvers docker init-addr last,libc,none",
        extra=DOCKER_RESOLVERS)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text = compose_config()
    if args.check:
        current = COMPOSE_CFG.read_text(encoding="utf-8") if COMPOSE_CFG.exists() else ""
        if current != text:
            print(f"{COMPOSE_CFG} ist veraltet: `python -m bot.cluster.compose` ausführen", file=sys.stderr)
            return 1
        return 0
    COMPOSE_CFG.write_text(text, encoding="utf-8")
    print(f"geschrieben: {COMPOSE_CFG}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
