"""Publishing: one job at a time, and a failing check keeps the old model (real `bot train` process
on a copy of the project whose data has a broken file – it stops at the check, before training)."""

from __future__ import annotations

import dataclasses
import shutil
import time
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.redaktion.publish import PublishBusy, Publisher
from bot.redaktion.settings import ConsoleSettings
from bot.redaktion.store import Store

COPY = ("bot", "actions", "data", "domain.yml", "config.yml", "endpoints.yml", "credentials.yml")


@pytest.fixture
def code_copy(tmp_path: Path) -> Path:
    """The project with its code (``bot train`` runs from here) and a broken topic file."""
    root = tmp_path / "projekt"
    for rel in COPY:
        source = PROJECT_ROOT / rel
        if source.is_dir():
            shutil.copytree(source, root / rel, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            root.mkdir(exist_ok=True)
            shutil.copy2(source, root / rel)
    topic = root / "data" / "nlu" / "faq" / "invest.yml"
    topic.write_text(topic.read_text(encoding="utf-8").replace("responses:", "responses: [", 1), encoding="utf-8")
    (root / "models").mkdir()
    (root / "models" / "gl-alt.tar.gz").write_bytes(b"altes Modell")
    return root


def test_failed_check_keeps_the_old_model_and_frees_the_lock(code_copy: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(code_copy))
    from bot.config import load_settings

    state = tmp_path / "state"
    monkeypatch.setenv("GL_STATE_DIR", str(state))
    bot = dataclasses.replace(load_settings(), state_dir=state, rasa_port=9)
    settings = ConsoleSettings(bot=bot, root=code_copy, host="127.0.0.1", port=0,
                               database_url=f"sqlite:///{tmp_path / 'r.db'}", secret_key="x")
    store = Store(settings.database_url)
    anna = store.create_user("anna", "Anna Admin", "anna@example.de", "admin", "passwort-anna-1")
    publisher = Publisher(settings, store)
    try:
        job = publisher.start(anna, "veroeffentlichen")
        with pytest.raises(PublishBusy, match="läuft schon"):
            publisher.start(anna, "ausprobieren")
        deadline = time.monotonic() + 300
        while job.state == "laeuft" and time.monotonic() < deadline:
            time.sleep(0.5)
        report = job.as_dict()
        assert report["state"] == "fehler", report
        assert "bisherige Modell bleibt aktiv" in report["message"]
        assert [s["status"] for s in report["steps"]] == ["fehler", "offen", "offen", "offen"]
        assert any(f["file"] == "data/nlu/faq/invest.yml" and f["level"] == "Fehler" for f in report["findings"])
        assert sorted(p.name for p in (code_copy / "models").iterdir()) == ["gl-alt.tar.gz"]
        assert [e.action for e in store.audit_entries()][:2] == ["veroeffentlichen-ende", "veroeffentlichen-start"]
        second = publisher.start(anna, "veroeffentlichen")  # the lock is free again
        deadline = time.monotonic() + 300
        while second.state == "laeuft" and time.monotonic() < deadline:
            time.sleep(0.5)
        assert second.state == "fehler"
    finally:
        publisher.stop()
