"""Small static web server for the chat widget and its demo page.

Serves, on ``GL_HOST`` and ``GL_WIDGET_PORT`` (default 8080):

* ``/`` – demo page of the fictitious "Musterstadt Wirtschaftsförderung", which embeds
  the widget with one ``<script>`` tag; the Rasa URL is injected into its data attribute;
* ``/widget/gruendungslotse.js`` and ``/widget/gruendungslotse.css`` – the widget;
* ``/healthz`` – readiness check.

Only the files in ``bot/channels/widget/`` are served (a fixed list, no directory
walking). Request logs contain neither client addresses nor query strings (DSGVO).

Run: ``python -m bot.channels.webserver [--host H] [--port P] [--rasa-url URL]``.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import logging
import os
import signal
import socket
import sys
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, List, Optional, Tuple
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

WIDGET_DIR = Path(__file__).resolve().parent / "widget"
DEMO_FILE = "demo.html"
DEFAULT_PORT = 8080
CONTENT_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}


@dataclass(frozen=True)
class WidgetSite:
    """What the demo page needs to know about the bot."""

    rasa_url: str
    retention_days: int = 30
    max_chars: int = 2000

    @property
    def rasa_origin(self) -> str:
        parts = urlsplit(self.rasa_url)
        return f"{parts.scheme}://{parts.netloc}"


def widget_assets() -> Dict[str, Path]:
    """URL path → file for every servable widget asset (everything but the demo page)."""
    return {
        f"/widget/{path.name}": path
        for path in sorted(WIDGET_DIR.iterdir())
        if path.is_file() and path.suffix in CONTENT_TYPES and path.name != DEMO_FILE
    }


def render_demo(site: WidgetSite) -> bytes:
    """The demo page with the bot's settings filled into the script tag."""
    page = (WIDGET_DIR / DEMO_FILE).read_text(encoding="utf-8")
    values = {
        "{{RASA_URL}}": site.rasa_url,
        "{{RETENTION_DAYS}}": str(site.retention_days),
        "{{MAX_CHARS}}": str(site.max_chars),
    }
    for placeholder, value in values.items():
        page = page.replace(placeholder, html.escape(value, quote=True))
    return page.encode("utf-8")


def demo_csp(site: WidgetSite) -> str:
    """Strict policy for the demo page: proves the widget needs no inline code or CDN."""
    return "; ".join([
        "default-src 'self'",
        f"connect-src 'self' {site.rasa_origin}",
        "img-src 'self' https: data:",
        "style-src 'self'",
        "script-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


class WidgetHandler(BaseHTTPRequestHandler):
    """GET/HEAD for the demo page, the widget assets and ``/healthz``."""

    server: "WidgetHTTPServer"
    def version_string(self) -> str:
        return "Gruendungslotse-Widget"

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self.respond(include_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self.respond(include_body=False)

    def respond(self, include_body: bool) -> None:
        path = urlsplit(self.path).path
        site = self.server.site
        headers: Dict[str, str] = {}
        if path in ("/", "/index.html", "/demo.html"):
            body, ctype = render_demo(site), CONTENT_TYPES[".html"]
            headers["Content-Security-Policy"] = demo_csp(site)
        elif path in self.server.assets:
            asset = self.server.assets[path]
            body, ctype = asset.read_bytes(), CONTENT_TYPES[asset.suffix]
            headers["Access-Control-Allow-Origin"] = "*"
            headers["Cross-Origin-Resource-Policy"] = "cross-origin"
        elif path == "/healthz":
            body, ctype = b'{"status": "ok"}', "application/json"
        elif path == "/favicon.ico":
            self.send_plain(HTTPStatus.NO_CONTENT, b"", include_body)
            return
        else:
            self.send_plain(HTTPStatus.NOT_FOUND, "Nicht gefunden.\n".encode(), include_body)
            return
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_plain(HTTPStatus.NOT_MODIFIED, b"", include_body=False, etag=etag)
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_common_headers(headers)
        self.end_headers()
        if include_body:
            self.wfile.write(body)

    def send_plain(self, status: HTTPStatus, body: bytes, include_body: bool,
                   etag: Optional[str] = None) -> None:
        self.send_response(status)
        if status != HTTPStatus.NOT_MODIFIED:
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
        if etag:
            self.send_header("ETag", etag)
        self.send_common_headers({})
        self.end_headers()
        if include_body and body:
            self.wfile.write(body)

    def send_common_headers(self, extra: Dict[str, str]) -> None:
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "strict-origin-when-cross-origin")
        for name, value in extra.items():
            self.send_header(name, value)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Log method, path and status only – no client address (personal data)."""
        logger.debug("widget: %s", format % args)

    def log_request(self, code: object = "-", size: object = "-") -> None:
        path = urlsplit(self.path).path
        logger.info("widget: %s %s %s", self.command, path, getattr(code, "value", code))


class WidgetHTTPServer(ThreadingHTTPServer):
    """Threading server that knows the site settings; IPv6 hosts work too."""

    daemon_threads = True

    def __init__(self, address: Tuple[str, int], site: WidgetSite) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.site = site
        self.assets = widget_assets()
        super().__init__(address, WidgetHandler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in str(host) else host
        return f"http://{host}:{port}"


def make_server(host: str, port: int, site: WidgetSite) -> WidgetHTTPServer:
    """Bind (port 0 = any free port); call ``serve_forever`` or :func:`start_in_thread`."""
    return WidgetHTTPServer((host, port), site)


def start_in_thread(server: WidgetHTTPServer) -> threading.Thread:
    """Serve in a daemon thread; stop with ``server.shutdown(); server.server_close()``."""
    thread = threading.Thread(target=server.serve_forever, name="widget-server", daemon=True)
    thread.start()
    return thread


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    from bot.config import load_settings
    from bot.retention import retention_days

    settings = load_settings()
    parser = argparse.ArgumentParser(description="Webserver für das Chat-Widget und die Demoseite.")
    parser.add_argument("--host", default=settings.host)
    parser.add_argument("--port", type=int,
                        default=int(os.environ.get("GL_WIDGET_PORT", "") or DEFAULT_PORT))
    parser.add_argument("--rasa-url", default=os.environ.get("GL_PUBLIC_RASA_URL", "").strip()
                        or settings.rasa_url, help="Rasa-Adresse, wie der Browser sie erreicht")
    parser.add_argument("--retention-days", type=int, default=retention_days())
    parser.add_argument("--max-chars", type=int, default=settings.max_message_chars)
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(message)s")
    site = WidgetSite(args.rasa_url.rstrip("/"), args.retention_days, args.max_chars)
    server = make_server(args.host, args.port, site)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"Widget-Demo: {server.url}/  (Widget: {server.url}/widget/gruendungslotse.js, "
          f"Rasa: {site.rasa_url})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
