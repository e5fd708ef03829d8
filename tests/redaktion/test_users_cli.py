"""``bot nutzer``: the first admin from the terminal, list, new password."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.redaktion.store import Store
from bot.redaktion.users_cli import main


def test_create_list_and_reset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setenv("GL_STATE_DIR", str(tmp_path))
    monkeypatch.delenv("GL_DATABASE_URL", raising=False)
    monkeypatch.delenv("GL_REDAKTION_DATABASE_URL", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO("erstes-passwort-1\n"))
    assert main(["anlegen", "Anna", "--name", "Anna Admin", "--email", "anna@example.de", "--passwort-stdin"]) == 0
    assert "„anna“ angelegt (Admin)" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("kurz\n"))
    assert main(["anlegen", "rudi", "--name", "Rudi", "--email", "r@example.de", "--passwort-stdin"]) == 1
    assert "mindestens 10 Zeichen" in capsys.readouterr().err
    assert main(["liste"]) == 0
    assert "anna" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("zweites-passwort-2\n"))
    assert main(["passwort", "anna", "--passwort-stdin"]) == 0
    store = Store(f"sqlite:///{tmp_path / 'redaktion.db'}")
    assert store.authenticate("anna", "zweites-passwort-2") is not None
    assert store.authenticate("anna", "erstes-passwort-1") is None
    assert (tmp_path / "redaktion.db").stat().st_mode & 0o777 == 0o600
