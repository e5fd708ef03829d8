"""`bot train`: check the data, train a candidate, run the conversation tests – and only then
put the new model into models/. A broken change never replaces the model that works.

Steps: (a) ``bot check`` (any "Fehler" → stop), (b) train into a temporary folder,
(c) ``rasa test core`` with tests/test_stories.yml, (d) passed → models/gl-<fingerprint>.tar.gz.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import List, Optional, Tuple

from bot import train as training
from bot.config import PROJECT_ROOT, load_settings
from bot.staff.check import format_findings, run_checks
from bot.staff.findings import ERROR

STORIES = "tests/test_stories.yml"
MODEL_LINE = "MODELL: "  # last line with --kandidat: where the tested model is (read by bot/redaktion)
FAILED_FILE = "failed_test_stories.yml"


def train_candidate(out_dir: Path, force: bool) -> Path:
    """Train the model for the current data into ``out_dir`` (same code path as ``bot.train``)."""
    return training.ensure_model(force=force, out_dir=out_dir)


def results_dir() -> Path:
    """Where the last conversation test results stay for reading: ``<state dir>/logs/gespraechstests``."""
    return load_settings().state_dir / "logs" / "gespraechstests"


def run_story_tests(model: Path, out: Path) -> Tuple[bool, Path]:
    """``rasa test core`` on ``model``; (passed, path of the failed stories file)."""
    settings = load_settings()
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "rasa", "test", "core", "--model", str(model), "--stories", STORIES,
               "--out", str(out), "--fail-on-prediction-errors"]
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3",
           "GL_ACTION_URL": settings.action_url, "GL_TRACKER_DB": str(settings.tracker_db)}
    log = out / "rasa-test.log"
    with open(log, "w", encoding="utf-8") as handle:
        result = subprocess.run(command, cwd=PROJECT_ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    failed = out / FAILED_FILE
    clean = not failed.exists() or "None of the test stories failed" in failed.read_text(encoding="utf-8")
    return result.returncode == 0 and clean, failed if failed.exists() else log


def promote(candidate: Path) -> Path:
    """Move the candidate (and its .json info) into models/ under the same name; prune old models."""
    training.MODELS_DIR.mkdir(parents=True, exist_ok=True)
    target = training.MODELS_DIR / candidate.name
    info = candidate.with_suffix("").with_suffix(".json")
    if info.exists():
        shutil.move(str(info), str(target.with_suffix("").with_suffix(".json")))
    shutil.move(str(candidate), str(target))
    training._prune(target)
    return target


def keep_candidate(candidate: Path, folder: Path) -> Path:
    """Move the tested candidate (and its .json info) into ``folder``, replacing older candidates."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("gl-*"):
        old.unlink()
    info = candidate.with_suffix("").with_suffix(".json")
    if info.exists():
        shutil.move(str(info), str(folder / info.name))
    target = folder / candidate.name
    shutil.move(str(candidate), str(target))
    return target


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="bot train", description="Prüft, trainiert und testet ein neues Modell.")
    parser.add_argument("--force", action="store_true", help="auch ohne Änderung neu trainieren")
    # the Redaktion console: keep the tested model in this folder instead of models/ (to try it first)
    parser.add_argument("--kandidat", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    print("1/3 Prüfe die Daten (bot check) …", flush=True)
    findings = run_checks(PROJECT_ROOT, rasa=True)
    if findings:
        print(format_findings(findings))
    if any(f.level == ERROR for f in findings):
        print("\nEs wurde nichts trainiert: Bitte zuerst die Fehler oben beheben. "
              "Das bisherige Modell bleibt aktiv.")
        return 1

    fingerprint = training.prepare_inputs()
    current = training.model_path(fingerprint)
    if current.exists() and not args.force:
        print(f"Das Modell für die aktuellen Daten gibt es schon ({current.name}) – kein Training nötig. "
              "Falls der Bot es noch nicht verwendet: `bot reload`.")
        if args.kandidat:
            print(f"{MODEL_LINE}{current}")
        return 0

    settings = load_settings()
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kandidat-", dir=settings.state_dir) as tmp:
        print("2/3 Trainiere ein neues Modell (etwa eine Minute) …", flush=True)
        try:
            candidate = train_candidate(Path(tmp), args.force)
        except SystemExit as failure:  # bot.train reports failures this way
            print(f"{failure}\nDas bisherige Modell bleibt aktiv.", file=sys.stderr)
            return 1
        print("3/3 Prüfe das neue Modell mit den Gesprächstests …", flush=True)
        passed, report = run_story_tests(candidate, results_dir())
        if not passed:
            candidate.unlink(missing_ok=True)
            print(f"\nDie Gesprächstests sind mit dem neuen Modell fehlgeschlagen. "
                  f"Das bisherige Modell bleibt aktiv.\nWelche Gespräche falsch liefen: {report}\n"
                  "Meist liegt es an Beispielfragen, die zu einem anderen Thema passen – "
                  "bei Unklarheit die technische Betreuung fragen.", file=sys.stderr)
            return 1
        if args.kandidat:
            target = keep_candidate(candidate, args.kandidat)
            print(f"\nGetestetes Modell bereit ({target.name}) – noch nicht aktiv.\n{MODEL_LINE}{target}")
            return 0
        target = promote(candidate)
    print(f"\nNeues Modell bereit ({target.name}) – jetzt `bot reload`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
