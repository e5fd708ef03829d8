"""The widget's static web server, without a bot and without a browser."""

from __future__ import annotations

import logging
from typing import Iterator

import pytest
import requests

from bot.channels.webserver import (
    WidgetHTTPServer, WidgetSite, demo_csp, make_server, render_demo, start_in_thread,
)


@pytest.fixture
def server() -> Iterator[WidgetHTTPServer]:
    running = make_server("127.0.0.1", 0, WidgetSite("http://127.0.0.1:5005", 14, 1500))
    start_in_thread(running)
    yield running
    running.shutdown()
    running.server_close()


def test_demo_page_gets_the_bot_settings_in_its_one_script_tag() -> None:
    page = render_demo(WidgetSite("http://bot.example:5005", 14, 1500)).decode("utf-8")
    assert "{{" not in page
    assert page.count("<script") == 1
    assert 'data-server-url="http://bot.example:5005"' in page
    assert 'data-retention-days="14"' in page and 'data-max-chars="1500"' in page


def test_injected_url_is_escaped() -> None:
    page = render_demo(WidgetSite('http://x/"><script>alert(1)</script>')).decode("utf-8")
    assert "<script>alert(1)" not in page
    assert "&quot;&gt;&lt;script&gt;" in page


def test_csp_allows_only_own_assets_and_the_bot() -> None:
    csp = demo_csp(WidgetSite("http://127.0.0.1:5005"))
    assert "connect-src 'self' http://127.0.0.1:5005" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_serves_page_assets_and_health(server: WidgetHTTPServer) -> None:
    page = requests.get(f"{server.url}/", timeout=5)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "Content-Security-Policy" in page.headers
    for name, ctype in (("gruendungslotse.js", "text/javascript"), ("gruendungslotse.css", "text/css")):
        reply = requests.get(f"{server.url}/widget/{name}", timeout=5)
        assert reply.status_code == 200 and reply.headers["Content-Type"].startswith(ctype)
        assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert requests.get(f"{server.url}/healthz", timeout=5).json() == {"status": "ok"}
    assert requests.head(f"{server.url}/widget/gruendungslotse.js", timeout=5).content == b""


def test_only_listed_files_are_served(server: WidgetHTTPServer) -> None:
    for path in ("/widget/", "/widget/demo.html", "/widget/%2e%2e/webserver.py",
                 "/bot/channels/webserver.py", "/widget/../../config.py"):
        assert requests.get(f"{server.url}{path}", timeout=5).status_code == 404, path


def test_unchanged_asset_answers_304(server: WidgetHTTPServer) -> None:
    first = requests.get(f"{server.url}/widget/gruendungslotse.css", timeout=5)
    again = requests.get(f"{server.url}/widget/gruendungslotse.css", timeout=5,
                         headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""


def test_request_log_has_no_client_address(server: WidgetHTTPServer,
                                           caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="bot.channels.webserver"):
        requests.get(f"{server.url}/widget/gruendungslotse.js?sender=anna", timeout=5)
    assert "GET /widget/gruendungslotse.js 200" in caplog.text
    assert "127.0.0.1" not in caplog.text and "anna" not in caplog.text
