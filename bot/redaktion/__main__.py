"""``python -m bot.redaktion``: serve the console with waitress on loopback (started by ``bot serve``)."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import List, Optional

from waitress import serve

from bot.redaktion.app import create_app
from bot.redaktion.settings import load_console_settings


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Redaktionskonsole des Gründungslotsen")
    parser.add_argument("--host", default=None)
    parser.add_argument("--port", type=int, default=None)
    args = parser.parse_args(argv)
    settings = load_console_settings()
    app = create_app(settings)
    host, port = args.host or settings.host, args.port or settings.port
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("redaktion").info("Redaktionskonsole auf http://%s:%s/redaktion", host, port)
    try:
        serve(app, host=host, port=port, threads=8, ident="gruendungslotse-redaktion")
    finally:
        app.extensions["gl_publisher"].stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
