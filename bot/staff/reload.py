"""`bot reload`: load a newly trained model into the running Rasa server.

Uses Rasa's HTTP API (``PUT /model``); in the production profile (``make run-production``)
one replica after the other, each out of the balancer meanwhile (bot/cluster/rolling.py).
Conversations live in the tracker store, not in the model, so nobody's conversation is
lost; the old model answers until the new one is loaded.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List, Optional

import requests

from bot.cluster.rolling import RolloutError, rolling_reload, running_layout
from bot.config import Settings, load_settings
from bot.serve import api_token
from bot.train import MODELS_DIR

LOAD_TIMEOUT = 600  # loading a model takes ~20 s on 2 cores; generous for busy machines


class ReloadError(Exception):
    """A German message for the editorial team."""


def newest_model(models_dir: Path = MODELS_DIR) -> Optional[Path]:
    """The most recently written ``gl-*.tar.gz`` (by modification time)."""
    models = sorted(models_dir.glob("gl-*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    return models[0] if models else None


def _check(reply: requests.Response, what: str) -> None:
    if reply.status_code == 401 or reply.status_code == 403:
        raise ReloadError(f"{what}: Der Bot hat den Zugang abgelehnt (HTTP {reply.status_code}). "
                          "Stimmt GL_API_TOKEN bzw. die Datei api-token im Laufzeitordner mit dem laufenden "
                          "Bot überein? Sonst den Bot neu starten (`bot run`).")
    if reply.status_code >= 400:
        detail = ""
        try:
            detail = str(reply.json().get("message") or "")
        except ValueError:
            pass
        raise ReloadError(f"{what}: Fehler vom Bot (HTTP {reply.status_code}){': ' + detail if detail else ''}. "
                          "Protokolle im Ordner var/logs/ an die technische Betreuung geben.")


def reload_model(settings: Settings, model: Path, timeout: float = LOAD_TIMEOUT) -> str:
    """Load ``model`` into the running server; returns the file name the server reports."""
    settings.state_dir.mkdir(parents=True, exist_ok=True)  # api_token may have to create its file
    params = {"token": api_token(settings)}
    try:
        reply = requests.put(f"{settings.rasa_url}/model", params=params,
                             json={"model_file": str(model.resolve())}, timeout=timeout)
        _check(reply, "Modell laden")
        status = requests.get(f"{settings.rasa_url}/status", params=params, timeout=30)
        _check(status, "Status abfragen")
    except requests.ConnectionError:
        raise ReloadError(f"Der Bot läuft nicht (keine Verbindung zu {settings.rasa_url}). "
                          "Starten Sie ihn mit `bot run` – er lädt dann automatisch das neueste Modell.") from None
    except requests.Timeout:
        raise ReloadError(f"Der Bot hat nicht rechtzeitig geantwortet ({settings.rasa_url}). "
                          "Später noch einmal versuchen.") from None
    try:
        loaded = str(status.json().get("model_file") or "")
    except ValueError:
        loaded = ""
    return Path(loaded).name


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="bot reload",
                                     description="Lädt das neueste Modell in den laufenden Bot.")
    parser.add_argument("--model", type=Path, help="dieses Modell statt des neuesten laden")
    args = parser.parse_args(argv)
    model = args.model or newest_model()
    if model is None or not model.is_file():
        print(f"Kein Modell gefunden ({args.model or MODELS_DIR / 'gl-*.tar.gz'}). Erst `bot train` ausführen.",
              file=sys.stderr)
        return 1
    settings = load_settings()
    print(f"Lade {model.name} in den laufenden Bot …", flush=True)
    cluster = running_layout(settings.state_dir)
    try:
        if cluster is not None:  # production profile: one replica after the other
            loaded = rolling_reload(cluster, model, api_token(settings))[-1]
        else:
            loaded = reload_model(settings, model)
    except (ReloadError, RolloutError) as error:
        print(f"Nicht geladen: {error}", file=sys.stderr)
        return 1
    print(f"Fertig: Der Bot antwortet jetzt mit dem Modell {loaded or model.name}. "
          "Laufende Gespräche bleiben erhalten.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
