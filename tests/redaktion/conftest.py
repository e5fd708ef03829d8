"""Fixtures for the console's unit and security tests: a temporary copy of the project's data with
its own git repository, the Flask app on it (SQLite store), users of both roles, a test client."""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bot.config import PROJECT_ROOT, load_settings
from bot.redaktion.app import create_app
from bot.redaktion.settings import ConsoleSettings
from bot.redaktion.store import Store

PASSWORD = "sehr-geheim-123"
COPY = ("data", "domain.yml", "config.yml")
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def copy_project(target: Path) -> Path:
    """The data files in ``target`` as a git repository with one commit."""
    for rel in COPY:
        source = PROJECT_ROOT / rel
        if source.is_dir():
            shutil.copytree(source, target / rel)
        else:
            shutil.copy2(source, target / rel)
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q", "-b", "main", str(target)], check=True)
    subprocess.run([*git, "add", "."], cwd=target, check=True)
    subprocess.run([*git, "commit", "-qm", "Ausgangsstand"], cwd=target, check=True)
    return target


@pytest.fixture(scope="session")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("vorlage"))


@pytest.fixture
def project(pristine: Path, tmp_path: Path) -> Path:
    """A fresh copy per test (copytree of the session copy incl. .git is fast)."""
    target = tmp_path / "projekt"
    shutil.copytree(pristine, target, symlinks=True)
    return target


@pytest.fixture
def settings(project: Path, tmp_path: Path) -> ConsoleSettings:
    state = tmp_path / "state"
    bot = dataclasses.replace(load_settings(), state_dir=state, tracker_db=state / "tracker.db",
                              callback_db=state / "rueckrufe.db", directory_db=project / "build" / "directory.db",
                              database_url=None, rasa_port=9)  # no bot is running in unit tests
    return ConsoleSettings(bot=bot, root=project, host="127.0.0.1", port=0,
                           database_url=f"sqlite:///{state / 'redaktion.db'}", secret_key="test-secret-key")


@pytest.fixture
def store(settings: ConsoleSettings) -> Store:
    store = Store(settings.database_url)
    store.create_user("anna", "Anna Admin", "anna@example.de", "admin", PASSWORD)
    store.create_user("rudi", "Rudi Redakteur", "rudi@example.de", "redakteur", PASSWORD)
    return store


@pytest.fixture
def app(settings: ConsoleSettings, store: Store, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    monkeypatch.setenv("GL_INBOX_DB", str(settings.bot.state_dir / "inbox.db"))
    app = create_app(settings, store)
    yield app
    app.extensions["gl_publisher"].stop()


def csrf_token(client: FlaskClient, url: str) -> str:
    page = client.get(url)
    match = TOKEN.search(page.get_data(as_text=True))
    assert match, f"kein CSRF-Token auf {url} (HTTP {page.status_code})"
    return match.group(1)


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    token = csrf_token(client, "/redaktion/anmelden")
    return client.post("/redaktion/anmelden", data={"benutzername": username, "passwort": password,
                                                    "csrf_token": token})


def post(client: FlaskClient, page: str, url: str, data: Dict[str, Any]) -> Any:
    """Submit a form the way a browser does: token from ``page``, then POST to ``url``."""
    return client.post(url, data={**data, "csrf_token": csrf_token(client, page)})


@pytest.fixture
def admin(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert login(client, "anna").status_code == 302
    return client


@pytest.fixture
def editor(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert login(client, "rudi").status_code == 302
    return client
