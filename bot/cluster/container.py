"""Entry point of the container images (deploy/docker/): one service per container.

    python -m bot.cluster.container rasa|actions|telegram|widget

Builds the command and environment with bot/serve.py's functions, exactly as ``make run``
and ``make run-production`` do, and replaces this process with it (the container's
PID 1 is then the server itself and gets Docker's SIGTERM). Settings come from the
``GL_*`` variables (docs/betrieb.md); in a container ``GL_HOST=0.0.0.0``, and
``GL_ACTION_URL`` names the action servers' balancer (``http://haproxy:5056/webhook``).
"""

from __future__ import annotations

import os
import sys
from typing import List, Optional

from bot.config import load_settings
from bot.serve import (
    action_command, api_token, ensure_directory, rasa_command, runtime_env, telegram_command,
    widget_command,
)

ROLES = ("rasa", "actions", "telegram", "widget")


def main(argv: Optional[List[str]] = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] not in ROLES:
        print(f"Aufruf: python -m bot.cluster.container {{{'|'.join(ROLES)}}}", file=sys.stderr)
        return 2
    role = args[0]
    settings = load_settings()
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    env = runtime_env(settings)
    for name in ("GL_ACTION_URL", "TELEGRAM_RASA_URL"):  # other containers, not this host
        if os.environ.get(name):
            env[name] = os.environ[name]
    if role == "rasa":
        from bot.train import model_path

        command = rasa_command(settings, model_path(), api_token(settings))
    elif role == "actions":
        ensure_directory(settings)  # built into the image; rebuilt only if data changed
        command = action_command(settings)
    elif role == "telegram":
        command = telegram_command()
    else:
        command = widget_command(settings)
    os.execvpe(command[0], command, env)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
