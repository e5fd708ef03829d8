"""The console's store on SQLite (default) and on PostgreSQL (production profile), same behaviour."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from bot.redaktion.settings import database_url
from bot.redaktion.store import Store, StoreError
from tests.conftest import fresh_database, stack_settings


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        yield Store(f"sqlite:///{tmp_path / 'redaktion.db'}")
        return
    with fresh_database("gl_redaktion") as url:
        store = Store(url)
        yield store
        store.engine.dispose()


def test_users_sessions_throttle_and_audit(store: Store) -> None:
    anna = store.create_user("Anna", "Anna  Admin", "anna@example.de", "admin", "passwort-anna-1")
    assert (anna.username, anna.display_name, anna.is_admin) == ("anna", "Anna Admin", True)
    with pytest.raises(StoreError, match="gibt es schon"):
        store.create_user("anna", "Andere Anna", "a2@example.de", "redakteur", "passwort-anna-2")
    for bad in (("bob", "Bob", "bob@example.de", "chef", "passwort-bob-1"),
                ("bob", "Bob", "keine-mail", "redakteur", "passwort-bob-1"),
                ("bob", "Bob", "bob@example.de", "redakteur", "kurz"),
                ("../bob", "Bob", "bob@example.de", "redakteur", "passwort-bob-1")):
        with pytest.raises(StoreError):
            store.create_user(*bad)
    assert store.authenticate("ANNA", "passwort-anna-1") == anna
    assert store.authenticate("anna", "falsch-falsch") is None
    assert store.authenticate("niemand", "passwort-anna-1") is None

    token = store.open_session(anna)
    assert store.session_user(token, idle_minutes=30, absolute_hours=10) == anna
    assert store.session_user(token + "x", idle_minutes=30, absolute_hours=10) is None
    store.set_password(anna.id, "neues-passwort-anna")  # ends every session of that user
    assert store.session_user(token, idle_minutes=30, absolute_hours=10) is None

    for _ in range(5):
        store.record_login("anna", "10.0.0.1", False)
    assert store.seconds_locked("anna", "10.0.0.2", max_failures=5, minutes=15) > 0
    assert store.seconds_locked("rudi", "10.0.0.2", max_failures=5, minutes=15) == 0

    store.log("anna", "antwort-geaendert", "data/nlu/faq/x.yml", "Antwort geändert", "abc123")
    [entry] = store.audit_entries(target="data/nlu/faq/x.yml")
    assert (entry.username, entry.action, entry.commit) == ("anna", "antwort-geaendert", "abc123")
    assert store.count_admins() == 1


def test_production_profile_uses_the_postgres_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GL_REDAKTION_DATABASE_URL", raising=False)
    settings = stack_settings(tmp_path)
    assert database_url(settings) == f"sqlite:///{tmp_path / 'redaktion.db'}"
    production = stack_settings(tmp_path, database_url="postgresql://postgres@127.0.0.1:5432/gl")
    assert database_url(production) == "postgresql://postgres@127.0.0.1:5432/gl"
    monkeypatch.setenv("GL_REDAKTION_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/redaktion")
    assert database_url(production) == "postgresql://postgres@127.0.0.1:5432/redaktion"
