"""Model update without downtime: one replica after the other.

For each replica: HAProxy stops sending it new requests (``drain``), its requests in
progress finish, Rasa loads the model (``PUT /model``), a real message is answered by
the replica directly, and HAProxy sends it traffic again once its health check is UP.
The other replicas answer meanwhile, so no request fails. Any error stops the rollout
with the replica left out of the balancer (the others keep serving) and a message.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Callable, List, Optional

import requests

from bot.cluster.haproxy import HAProxyAdmin
from bot.cluster.layout import Layout

LOAD_TIMEOUT = 600


class RolloutError(Exception):
    """German message for the editorial team / operators."""


def _loaded_model(url: str, token: str) -> str:
    status = requests.get(f"{url}/status", params={"token": token}, timeout=30)
    status.raise_for_status()
    return Path(str(status.json().get("model_file") or "")).name


def _answers(url: str) -> bool:
    reply = requests.post(f"{url}/webhooks/rest/webhook", timeout=60,
                          json={"sender": f"reload-check-{uuid.uuid4().hex[:8]}", "message": "Hallo"})
    return reply.status_code == 200 and bool(reply.json())


def rolling_reload(layout: Layout, model: Path, token: str,
                   progress: Callable[[str], None] = print,
                   load_timeout: float = LOAD_TIMEOUT) -> List[str]:
    """Load ``model`` into every replica in turn; returns the model names they report."""
    admin = HAProxyAdmin(layout.admin_socket)
    loaded: List[str] = []
    for index in range(layout.replicas):
        name = layout.replica_name(index)
        url = layout.replica_url(index)
        progress(f"Replikat {index + 1}/{layout.replicas}: aus dem Lastverteiler nehmen …")
        admin.set_state("rasa", name, "drain")
        try:
            admin.wait_idle("rasa", name)
            progress(f"Replikat {index + 1}/{layout.replicas}: lädt {model.name} …")
            reply = requests.put(f"{url}/model", params={"token": token},
                                 json={"model_file": str(model.resolve())}, timeout=load_timeout)
            if reply.status_code >= 400:
                raise RolloutError(f"Replikat {index + 1} lehnt das Modell ab (HTTP {reply.status_code}); "
                                   f"es bleibt außer Betrieb, die anderen antworten weiter.")
            current = _loaded_model(url, token)
            if current != model.name or not _answers(url):
                raise RolloutError(f"Replikat {index + 1} antwortet nach dem Laden nicht richtig "
                                   f"(Modell {current or '?'}); es bleibt außer Betrieb.")
        except requests.RequestException as error:
            raise RolloutError(f"Replikat {index + 1} nicht erreichbar ({type(error).__name__}); "
                               "es bleibt außer Betrieb, die anderen antworten weiter.") from None
        admin.set_state("rasa", name, "ready")
        admin.wait_status("rasa", name, "UP", 30)
        loaded.append(current)
    return loaded


def running_layout(state_dir: Path) -> Optional[Layout]:
    """The layout of a running production cluster in ``state_dir`` (its admin socket answers)."""
    layout = Layout.load(state_dir)
    if layout is None or not layout.admin_socket.exists():
        return None
    try:
        HAProxyAdmin(layout.admin_socket, timeout=2).command("show info")
    except OSError:
        return None
    return layout
