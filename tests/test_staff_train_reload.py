"""`bot train` (guarded: check → candidate → conversation tests → models/) and `bot reload` error paths.

No real training here: training and testing are replaced; the e2e test against a real server is separate.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest

from bot import train as training
from bot.staff import guarded_train, reload
from bot.staff.findings import ERROR, WARNING, Finding


# --- bot train --------------------------------------------------------------------------------

@pytest.fixture()
def models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """models/ and the state dir in tmp; fingerprint "abc"; checks pass; training writes a fake file."""
    models_dir = tmp_path / "models"
    monkeypatch.setattr(training, "MODELS_DIR", models_dir)
    monkeypatch.setenv("GL_STATE_DIR", str(tmp_path / "var"))
    monkeypatch.setattr(guarded_train, "run_checks", lambda root, rasa: [])
    monkeypatch.setattr(training, "prepare_inputs", lambda: "abc")
    monkeypatch.setattr(training, "fingerprint", lambda: "abc")

    def fake_train(out_dir: Path, force: bool) -> Path:
        model = out_dir / "gl-abc.tar.gz"
        model.write_bytes(b"model")
        model.with_suffix("").with_suffix(".json").write_text("{}")
        return model

    monkeypatch.setattr(guarded_train, "train_candidate", fake_train)
    return models_dir


def stories(monkeypatch: pytest.MonkeyPatch, passed: bool) -> List[Path]:
    tested: List[Path] = []

    def fake_test(model: Path, out: Path) -> Tuple[bool, Path]:
        assert model.exists() and training.MODELS_DIR not in model.parents  # the candidate, not models/
        tested.append(model)
        return passed, out / "failed_test_stories.yml"

    monkeypatch.setattr(guarded_train, "run_story_tests", fake_test)
    return tested


def test_errors_in_the_data_stop_before_training(models: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture) -> None:
    findings = [Finding(ERROR, "data/nlu/faq/x.yml", 3, "Ungültiges YAML.", "Einrückung prüfen")]
    monkeypatch.setattr(guarded_train, "run_checks", lambda root, rasa: findings)
    monkeypatch.setattr(guarded_train, "train_candidate", lambda *a: pytest.fail("must not train"))
    assert guarded_train.main([]) == 1
    out = capsys.readouterr().out
    assert "data/nlu/faq/x.yml:3" in out and "nichts trainiert" in out
    assert not models.exists()


def test_warnings_do_not_stop_training(models: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture) -> None:
    monkeypatch.setattr(guarded_train, "run_checks",
                        lambda root, rasa: [Finding(WARNING, "data/nlu/faq/x.yml", 1, "Nur 12 Beispielfragen.")])
    stories(monkeypatch, passed=True)
    assert guarded_train.main([]) == 0
    assert "Nur 12 Beispielfragen" in capsys.readouterr().out


def test_failed_conversation_tests_keep_the_old_model(models: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture) -> None:
    models.mkdir()
    old = models / "gl-old.tar.gz"
    old.write_bytes(b"old")
    tested = stories(monkeypatch, passed=False)
    assert guarded_train.main([]) == 1
    err = capsys.readouterr().err
    assert "Das bisherige Modell bleibt aktiv" in err and "failed_test_stories.yml" in err
    assert [p.name for p in models.iterdir()] == ["gl-old.tar.gz"] and old.read_bytes() == b"old"
    assert not tested[0].exists() and not tested[0].parent.exists()  # candidate and temp folder gone


def test_passed_candidate_moves_into_models(models: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture) -> None:
    tested = stories(monkeypatch, passed=True)
    assert guarded_train.main([]) == 0
    out = capsys.readouterr().out
    assert "Neues Modell bereit" in out and "bot reload" in out
    assert sorted(p.name for p in models.iterdir()) == ["gl-abc.json", "gl-abc.tar.gz"]
    assert (models / "gl-abc.tar.gz").read_bytes() == b"model" and not tested[0].parent.exists()


def test_candidate_kept_aside_for_the_console(models: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                              capsys: pytest.CaptureFixture) -> None:
    """``--kandidat DIR`` (Redaktion console): the tested model goes to DIR, models/ stays as it was,
    and the last line names the file; an existing model for the data is named the same way."""
    folder = tmp_path / "kandidat"
    folder.mkdir()
    (folder / "gl-older.tar.gz").write_bytes(b"older")
    stories(monkeypatch, passed=True)
    assert guarded_train.main(["--kandidat", str(folder)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1] == f"{guarded_train.MODEL_LINE}{folder / 'gl-abc.tar.gz'}"
    assert sorted(p.name for p in folder.iterdir()) == ["gl-abc.json", "gl-abc.tar.gz"]
    assert not models.exists()
    models.mkdir()
    (models / "gl-abc.tar.gz").write_bytes(b"model")
    monkeypatch.setattr(guarded_train, "train_candidate", lambda *a: pytest.fail("must not train"))
    assert guarded_train.main(["--kandidat", str(folder)]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1] == f"{guarded_train.MODEL_LINE}{models / 'gl-abc.tar.gz'}"


def test_current_model_means_nothing_to_do(models: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture) -> None:
    models.mkdir()
    (models / "gl-abc.tar.gz").write_bytes(b"model")
    monkeypatch.setattr(guarded_train, "train_candidate", lambda *a: pytest.fail("must not train"))
    assert guarded_train.main([]) == 0
    assert "kein Training nötig" in capsys.readouterr().out
    tested = stories(monkeypatch, passed=True)

    def retrain(out_dir: Path, force: bool) -> Path:
        assert force
        (out_dir / "gl-abc.tar.gz").write_bytes(b"new")
        return out_dir / "gl-abc.tar.gz"

    monkeypatch.setattr(guarded_train, "train_candidate", retrain)
    assert guarded_train.main(["--force"]) == 0 and len(tested) == 1
    assert (models / "gl-abc.tar.gz").read_bytes() == b"new"


def test_training_failure_keeps_the_old_model(models: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture) -> None:
    def broken(out_dir: Path, force: bool) -> Path:
        raise SystemExit("Training fehlgeschlagen (Exit-Code 1)")

    monkeypatch.setattr(guarded_train, "train_candidate", broken)
    assert guarded_train.main([]) == 1
    assert "Das bisherige Modell bleibt aktiv" in capsys.readouterr().err


def test_candidate_goes_to_the_given_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: List[Tuple[bool, Path]] = []
    monkeypatch.setattr(training, "ensure_model", lambda force, out_dir: calls.append((force, out_dir)) or out_dir)
    assert guarded_train.train_candidate(tmp_path, True) == tmp_path and calls == [(True, tmp_path)]


# --- bot reload -------------------------------------------------------------------------------

def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when the block ends


def test_newest_model_by_modification_time(tmp_path: Path) -> None:
    assert reload.newest_model(tmp_path) is None
    older, newer = tmp_path / "gl-b.tar.gz", tmp_path / "gl-a.tar.gz"
    for path in (older, newer):
        path.write_bytes(b"x")
    now = time.time()
    os.utime(older, (now - 100, now - 100))
    (tmp_path / "other.tar.gz").write_bytes(b"x")
    assert reload.newest_model(tmp_path) == newer


def test_reload_without_running_bot_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture) -> None:
    model = tmp_path / "gl-abc.tar.gz"
    model.write_bytes(b"x")
    monkeypatch.setenv("GL_RASA_PORT", str(closed_port()))
    monkeypatch.setenv("GL_STATE_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("GL_API_TOKEN", "geheim")
    assert reload.main(["--model", str(model)]) == 1
    err = capsys.readouterr().err
    assert "Der Bot läuft nicht" in err and "bot run" in err and "geheim" not in err


def test_reload_without_model(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert reload.main(["--model", str(tmp_path / "fehlt.tar.gz")]) == 1
    assert "bot train" in capsys.readouterr().err


class FakeRasa(BaseHTTPRequestHandler):
    """Answers like Rasa's HTTP API: token "richtig" accepted, anything else 401."""

    def _authorised(self) -> bool:
        if "token=richtig" in self.path:
            return True
        self.send_response(401)
        self.end_headers()
        return False

    def do_PUT(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self._authorised():
            self.server.loaded = body["model_file"]  # type: ignore[attr-defined]
            self.send_response(204)
            self.end_headers()

    def do_GET(self) -> None:  # noqa: N802
        if self._authorised():
            data = json.dumps({"model_file": self.server.loaded}).encode()  # type: ignore[attr-defined]
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def fake_rasa(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeRasa)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("GL_RASA_PORT", str(server.server_address[1]))
    monkeypatch.setenv("GL_STATE_DIR", str(tmp_path / "var"))
    yield server
    server.shutdown()
    server.server_close()


def test_reload_sends_the_absolute_model_path(fake_rasa: ThreadingHTTPServer, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    model = tmp_path / "gl-abc.tar.gz"
    model.write_bytes(b"x")
    monkeypatch.setenv("GL_API_TOKEN", "richtig")
    monkeypatch.chdir(tmp_path)
    assert reload.main(["--model", "gl-abc.tar.gz"]) == 0
    assert fake_rasa.loaded == str(model)  # type: ignore[attr-defined]
    assert "gl-abc.tar.gz" in capsys.readouterr().out


def test_reload_with_wrong_token_explains(fake_rasa: ThreadingHTTPServer, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    model = tmp_path / "gl-abc.tar.gz"
    model.write_bytes(b"x")
    monkeypatch.setenv("GL_API_TOKEN", "falsch")
    assert reload.main(["--model", str(model)]) == 1
    assert "HTTP 401" in capsys.readouterr().err


def test_ensure_model_trains_into_out_dir_and_leaves_models_alone(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """bot.train.ensure_model(out_dir=…): same command, only --out differs; models/ is not pruned."""
    models_dir, out_dir = tmp_path / "models", tmp_path / "kandidat"
    models_dir.mkdir()
    for number in range(5):
        (models_dir / f"gl-old{number}.tar.gz").write_bytes(b"old")
    monkeypatch.setattr(training, "MODELS_DIR", models_dir)
    monkeypatch.setattr(training, "prepare_inputs", lambda: "abc")
    monkeypatch.setenv("GL_STATE_DIR", str(tmp_path / "var"))
    commands: List[List[str]] = []

    def fake_rasa_train(command: List[str], **kwargs: object) -> object:
        commands.append(command)
        out = Path(command[command.index("--out") + 1])
        (out / (command[command.index("--fixed-model-name") + 1] + ".tar.gz")).write_bytes(b"new")
        return type("Result", (), {"returncode": 0})()

    monkeypatch.setattr(training.subprocess, "run", fake_rasa_train)
    model = training.ensure_model(out_dir=out_dir)
    assert model == out_dir / "gl-abc.tar.gz" and model.read_bytes() == b"new"
    assert (out_dir / "gl-abc.json").exists()
    assert len(list(models_dir.iterdir())) == 5
    assert training.ensure_model(out_dir=out_dir) == model and len(commands) == 1  # exists: no training
