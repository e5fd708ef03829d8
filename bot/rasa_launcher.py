"""``python -m bot.rasa_launcher run …``: Rasa's own command line, started our way.

* Every log record of the Rasa process is redacted (:func:`bot.log_privacy.install`) before
  Rasa configures its handlers.
* With ``--enable-api``, the API token is added to Rasa's arguments *inside* the process
  (from ``GL_API_TOKEN``, else ``<GL_STATE_DIR>/api-token``): ``/proc/<pid>/cmdline`` – what
  ``ps`` shows every user – keeps only the launcher's arguments, without the token.
"""

from __future__ import annotations

import sys
from typing import List, Optional

from bot import log_privacy


def rasa_argv(args: List[str], token: str) -> List[str]:
    """Rasa's ``sys.argv``: ``args`` plus ``--auth-token=<token>`` when the API is enabled."""
    if "--enable-api" not in args or any(a.startswith("--auth-token") for a in args):
        return ["rasa", *args]
    if not token:
        raise SystemExit("Rasa-Start: --enable-api ohne Token (GL_API_TOKEN bzw. api-token fehlt).")
    # "=" form: a token may start with "-", which argparse would take for an option
    return ["rasa", *args, f"--auth-token={token}"]


def main(argv: Optional[List[str]] = None) -> None:
    log_privacy.install()
    from bot.config import load_settings
    from bot.tokens import api_token

    args = sys.argv[1:] if argv is None else argv
    token = api_token(load_settings()) if "--enable-api" in args else ""
    sys.argv = rasa_argv(args, token)
    import rasa.__main__

    rasa.__main__.main()


if __name__ == "__main__":
    main()
