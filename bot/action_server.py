"""``python -m bot.action_server``: rasa_sdk's action server, answering only Rasa.

rasa_sdk 3.6.2 has no authentication and its error handler returns the whole request body
and the exception text to the caller. This module takes rasa_sdk's Sanic app as it is
(:func:`rasa_sdk.endpoint.create_app`) and adds:

* a shared secret: every request except ``/health`` must carry ``Authorization: Bearer
  <GL_ACTION_TOKEN>`` – Rasa sends it (``headers`` of ``action_endpoint`` in endpoints*.yml);
  anything else gets 401 before an action runs;
* an error handler without echo: the caller learns only that something failed; the log gets
  the exception type and the action name (every record is redacted, :mod:`bot.log_privacy`);
* no CORS (only Rasa calls it, never a browser).

Arguments as ``python -m rasa_sdk`` (``--actions``, ``--port`` …). Without a token it refuses
to start.
"""

from __future__ import annotations

import hmac
import logging
import os
import sys
from typing import Any, List, Optional

from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import log_privacy

logger = logging.getLogger("bot.action_server")
TOKEN_ENV = "GL_ACTION_TOKEN"
OPEN_PATHS = frozenset({"/health"})


def authorised(header: Optional[str], token: str) -> bool:
    """``Authorization: Bearer <token>``, compared in constant time."""
    expected = f"Bearer {token}".encode("utf-8")
    return bool(token) and hmac.compare_digest((header or "").encode("utf-8"), expected)


def _action_name(request: Request) -> str:
    try:
        name = (request.json or {}).get("next_action")
    except Exception:  # noqa: BLE001 – the body itself may be what failed
        return "-"
    return name if isinstance(name, str) and name.isidentifier() else "-"


def create_app(actions_package: Any, token: str) -> Sanic:
    """rasa_sdk's app with the secret check and the echo-free error handler."""
    from rasa_sdk.endpoint import create_app as sdk_create_app

    if not token:
        raise ValueError(f"{TOKEN_ENV} fehlt: ohne gemeinsames Geheimnis startet der Aktionsserver nicht.")
    app = sdk_create_app(actions_package, cors_origins=None)

    async def require_token(request: Request) -> Optional[HTTPResponse]:
        if request.path in OPEN_PATHS or authorised(request.headers.get("authorization"), token):
            return None
        logger.warning("action server: request to %s without a valid token refused", request.path)
        return response.json({"error": "Nicht berechtigt."}, status=401)

    async def error_without_echo(request: Request, exception: Exception) -> HTTPResponse:
        if isinstance(exception, SanicException):  # 404, 405, bad JSON …: Sanic's status, no details
            return response.json({"error": "Ungültige Anfrage."}, status=exception.status_code or 400)
        logger.error("action server: %s in action %s", type(exception).__name__, _action_name(request))
        return response.json({"error": "Interner Fehler im Aktionsserver."}, status=500)

    app.register_middleware(require_token, "request")
    app.error_handler.add(Exception, error_without_echo)  # replaces rasa_sdk's echoing handler
    return app


def main(argv: Optional[List[str]] = None) -> int:
    log_privacy.install()
    from rasa_sdk import utils
    from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
    from rasa_sdk.endpoint import create_argument_parser
    from rasa_sdk.plugin import plugin_manager

    args = create_argument_parser().parse_args(sys.argv[1:] if argv is None else argv)
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(logging.getLogger(APPLICATION_ROOT_LOGGER_NAME), args.log_file,
                                 args.loglevel, args.logging_config_file)
    utils.update_sanic_log_level()
    try:
        app = create_app(args.actions, os.environ.get(TOKEN_ENV, "").strip())
    except ValueError as error:
        print(f"Aktionsserver: {error}", file=sys.stderr)
        return 2
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    host = os.environ.get("SANIC_HOST", "127.0.0.1")
    logger.info("Action endpoint is up and running on http://%s:%s (token required)", host, args.port)
    app.run(host, args.port, workers=utils.number_of_sanic_workers(), access_log=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
