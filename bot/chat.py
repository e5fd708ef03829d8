"""Chat with the running bot in the terminal over the REST channel (like ``rasa shell``)."""

from __future__ import annotations

import json
import secrets
import sys
import urllib.error
import urllib.request
from typing import Any, Dict, List

from bot.config import load_settings


def send(url: str, sender: str, text: str, timeout: float = 30) -> List[Dict[str, Any]]:
    body = json.dumps({"sender": sender, "message": text}).encode("utf-8")
    request = urllib.request.Request(
        f"{url}/webhooks/rest/webhook", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as reply:
        return json.loads(reply.read().decode("utf-8"))


def render(message: Dict[str, Any]) -> str:
    lines = [message.get("text") or ""]
    for number, button in enumerate(message.get("buttons") or [], start=1):
        lines.append(f"  [{number}] {button.get('title')}")
    if message.get("image"):
        lines.append(f"  (Bild: {message['image']})")
    return "\n".join(line for line in lines if line)


def main() -> int:
    url = load_settings().rasa_url
    sender = f"terminal-{secrets.token_hex(4)}"
    print(f"Chat mit {url} – beenden mit /stop oder Strg+D. Zahl wählt einen Button.")
    buttons: List[Dict[str, Any]] = []
    while True:
        try:
            text = input("Sie: ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if text == "/stop":
            return 0
        if text.isdigit() and 0 < int(text) <= len(buttons):
            text = buttons[int(text) - 1]["payload"]
        try:
            replies = send(url, sender, text)
        except (urllib.error.URLError, OSError) as error:
            print(f"Bot nicht erreichbar ({error}). Läuft `make run`?", file=sys.stderr)
            continue
        buttons = [b for message in replies for b in message.get("buttons") or []]
        for message in replies:
            print(f"Bot: {render(message)}")


if __name__ == "__main__":
    sys.exit(main())
