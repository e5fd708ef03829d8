"""Train the Rasa model only when its inputs changed.

The model file is named after a hash of everything training reads (config, domain,
training data, the built spaCy pipeline, the Rasa version), so "is there a model for
the current data?" is a file lookup instead of a 20-second ``rasa train`` no-op.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterable, List, Optional

from bot.config import PROJECT_ROOT, load_settings
from bot.nlp import OUTPUT_DIR as SPACY_DIR
from bot.nlp import STAMP_FILE

MODELS_DIR = PROJECT_ROOT / "models"
CONFIG_FILE = PROJECT_ROOT / "config.yml"
DOMAIN_FILE = PROJECT_ROOT / "domain.yml"
# What Rasa trains on; data/directory/ is not Rasa data but feeds generated NLU files.
TRAINING_DATA = ("data/nlu", "data/rules.yml", "data/stories.yml")
# data/directory/ is left out on purpose: a corrected phone number needs `bot verzeichnis`, not
# a new model. What the model does learn from it (places, topics) reaches it through
# data/nlu/generated/ and the spaCy build stamp, both part of the fingerprint.
# bot/nlp holds the custom NLU components: changing their code changes what training produces.
FINGERPRINT_INPUTS = ("config.yml", "domain.yml", "data/nlu", "data/rules.yml", "data/stories.yml", "bot/nlp")
KEEP_MODELS = 3


def _files(paths: Iterable[str]) -> List[Path]:
    found: List[Path] = []
    for rel in paths:
        path = PROJECT_ROOT / rel
        if path.is_dir():
            found.extend(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        elif path.is_file():
            found.append(path)
    return sorted(found)


def _rasa_version() -> str:
    from importlib.metadata import version

    return version("rasa")


def fingerprint() -> str:
    """Hash of the training inputs (file names and contents) and tool versions."""
    digest = hashlib.sha256()
    for path in _files(FINGERPRINT_INPUTS):
        digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
        digest.update(path.read_bytes())
    stamp = SPACY_DIR / STAMP_FILE
    digest.update(stamp.read_bytes() if stamp.exists() else b"no-spacy-build")
    digest.update(_rasa_version().encode())
    return digest.hexdigest()[:12]


def model_path(fp: Optional[str] = None) -> Path:
    return MODELS_DIR / f"gl-{fp or fingerprint()}.tar.gz"


def training_data_args() -> List[str]:
    return [rel for rel in TRAINING_DATA if (PROJECT_ROOT / rel).exists()]


def _prune(keep: Path) -> None:
    models = sorted(MODELS_DIR.glob("gl-*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in models[KEEP_MODELS:]:
        if old != keep:
            old.unlink(missing_ok=True)
            old.with_suffix("").with_suffix(".json").unlink(missing_ok=True)


def prepare_inputs() -> str:
    """Build what training reads besides data/ (directory, generated NLU, spaCy); return the fingerprint."""
    from bot.directory.generate import main as generate_nlu_files
    from bot.nlp.build_pipeline import ensure_pipeline  # imports spaCy: only when training

    from bot.directory.build import main as build_directory

    if build_directory(["--if-changed"]) != 0 or generate_nlu_files([]) != 0:
        raise SystemExit("Kontaktverzeichnis fehlerhaft – bitte die genannte Datei und Zeile korrigieren.")
    ensure_pipeline()
    return fingerprint()


def _shown(path: Path) -> Path:
    return path.relative_to(PROJECT_ROOT) if PROJECT_ROOT in path.parents else path


def ensure_model(force: bool = False, out_dir: Optional[Path] = None) -> Path:
    """Return the model for the current inputs, training it if needed (into ``out_dir``, default models/)."""
    fp = prepare_inputs()
    target = (out_dir or MODELS_DIR) / model_path(fp).name
    if target.exists() and not force:
        print(f"Modell aktuell: {_shown(target)} (kein Training nötig).")
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "rasa", "train",
        "--config", str(CONFIG_FILE), "--domain", str(DOMAIN_FILE),
        "--data", *training_data_args(),
        "--out", str(target.parent), "--fixed-model-name", target.name[: -len(".tar.gz")],
        "--force",
    ]
    log_path = load_settings().state_dir / "logs" / "train.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    print(f"Trainiere Modell {target.name} … (Protokoll: {log_path})", flush=True)
    started = time.perf_counter()
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2"),
           "RASA_TELEMETRY_ENABLED": "false"}
    with open(log_path, "w", encoding="utf-8") as log:
        result = subprocess.run(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    seconds = time.perf_counter() - started
    if result.returncode != 0 or not target.exists():
        tail = log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-40:]
        print("\n".join(tail), file=sys.stderr)
        raise SystemExit(f"Training fehlgeschlagen (Exit-Code {result.returncode}), siehe {log_path}.")
    info = {"fingerprint": fp, "train_seconds": round(seconds, 1), "trained_at": time.time()}
    target.with_suffix("").with_suffix(".json").write_text(json.dumps(info, indent=2))
    print(f"Modell trainiert in {seconds:.0f} s: {_shown(target)}")
    if out_dir is None:
        _prune(target)
    return target


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Trainiert das Modell, falls sich etwas geändert hat.")
    parser.add_argument("--force", action="store_true", help="auch ohne Änderung neu trainieren")
    parser.add_argument("--print-path", action="store_true", help="nur den Modellpfad ausgeben")
    args = parser.parse_args(argv)
    if args.print_path:
        print(model_path())
        return 0
    ensure_model(force=args.force)
    return 0


if __name__ == "__main__":
    sys.exit(main())
