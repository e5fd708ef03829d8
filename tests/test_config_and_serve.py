from pathlib import Path

import pytest

from bot.config import load_settings
from bot.serve import endpoints_file, rasa_command, runtime_env


def test_defaults_are_embedded_and_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GL_DATABASE_URL", "GL_HOST", "GL_RASA_PORT", "GL_TRACKER_DB", "GL_STATE_DIR"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.host == "127.0.0.1"
    assert not settings.production
    assert settings.tracker_db.name == "tracker.db"
    assert endpoints_file(settings).name == "endpoints.yml"
    env = runtime_env(settings)
    assert env["GL_TRACKER_DB"] == str(settings.tracker_db)
    assert env["GL_ACTION_URL"] == "http://127.0.0.1:5055/webhook"
    assert env["SANIC_HOST"] == "127.0.0.1"


def test_database_url_switches_to_postgres_and_redis(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GL_DATABASE_URL", "postgresql://lotse:geheim@127.0.0.1:5433/gl")
    monkeypatch.setenv("GL_REDIS_URL", "redis://127.0.0.1:6380/2")
    settings = load_settings()
    assert settings.production
    assert endpoints_file(settings).name == "endpoints.production.yml"
    env = runtime_env(settings)
    assert (env["GL_DB_HOST"], env["GL_DB_PORT"], env["GL_DB_NAME"]) == ("127.0.0.1", "5433", "gl")
    assert (env["GL_DB_USER"], env["GL_DB_PASSWORD"]) == ("lotse", "geheim")
    assert (env["GL_REDIS_HOST"], env["GL_REDIS_PORT"], env["GL_REDIS_DB"]) == ("127.0.0.1", "6380", "2")


def test_rasa_listens_on_loopback_with_api_token_off_the_command_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.rasa_launcher import rasa_argv

    monkeypatch.delenv("GL_HOST", raising=False)
    command = rasa_command(load_settings(), Path("models/x.tar.gz"), "-token123")
    assert command[command.index("--interface") + 1] == "127.0.0.1"
    assert "--enable-api" in command
    assert not any("token123" in part for part in command)  # #15.8: ps shows command lines to everyone
    argv = rasa_argv(command[command.index("run"):], "-token123")  # what the launcher gives Rasa
    assert "--auth-token=-token123" in argv  # a leading "-" must not look like an option
    with pytest.raises(SystemExit):
        rasa_argv(["run", "--enable-api"], "")
