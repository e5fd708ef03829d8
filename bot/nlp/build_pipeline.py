"""Build the German spaCy pipeline that ``config.yml`` loads from ``build/spacy-de``.

Default: ``spacy.blank("de")`` (German tokenizer rules) + lookup lemmatizer with the
tables from spacy-lookups-data, saved to disk so the runtime needs no lookup package.
If ``de_core_news_sm`` is installed it is used instead (``GL_SPACY_BASE=auto``, the
default); ``GL_SPACY_BASE=blank`` forces the self-built pipeline. Both get an
``entity_ruler`` as soon as ``entity_patterns`` (fed from the contact directory later)
returns any.

Rebuilds only when the recipe changed (see ``fingerprint``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from pathlib import Path
from typing import Any, Dict, List

import spacy
from spacy.language import Language

from bot.config import load_settings
from bot.nlp import OUTPUT_DIR, STAMP_FILE
SMALL_MODEL = "de_core_news_sm"
PIPELINE_NAME = "gl_de_pipeline"


def choose_base(requested: str) -> str:
    """Return ``"blank"`` or ``"de_core_news_sm"`` for the requested base."""
    if requested not in ("auto", "blank", SMALL_MODEL):
        raise ValueError(
            f"GL_SPACY_BASE={requested!r} ist unbekannt (erlaubt: auto, blank, {SMALL_MODEL})."
        )
    if requested == "auto":
        return SMALL_MODEL if spacy.util.is_package(SMALL_MODEL) else "blank"
    return requested


def entity_patterns() -> List[Dict[str, Any]]:
    """Phrase patterns for places, universities and topics, generated from the contact directory."""
    from bot.directory.generate import entity_patterns as directory_patterns

    return directory_patterns()


def fingerprint(base: str, patterns: List[Dict[str, Any]]) -> str:
    """Hash of everything the built pipeline depends on."""
    recipe = {
        "base": base,
        "spacy": spacy.__version__,
        "patterns": patterns,
        "builder": Path(__file__).read_text(encoding="utf-8"),
    }
    if base == SMALL_MODEL:
        recipe["model_version"] = spacy.util.get_package_version(SMALL_MODEL)
    blob = json.dumps(recipe, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(blob).hexdigest()[:16]


def build(base: str, patterns: List[Dict[str, Any]]) -> Language:
    """Create the pipeline in memory."""
    if base == SMALL_MODEL:
        nlp = spacy.load(SMALL_MODEL)
    else:
        nlp = spacy.blank("de")
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()  # loads the lookup tables from spacy-lookups-data
    if patterns:  # an empty ruler would only warn at every load
        before = "ner" if "ner" in nlp.pipe_names else None
        ruler = nlp.add_pipe(
            "entity_ruler", before=before, config={"phrase_matcher_attr": "LOWER"}
        )
        ruler.add_patterns(patterns)  # type: ignore[attr-defined]
    nlp.meta["name"] = PIPELINE_NAME
    nlp.meta["description"] = f"Gründungslotse German pipeline (base: {base})"
    return nlp


def is_current(output: Path, print_fp: str) -> bool:
    stamp = output / STAMP_FILE
    if not stamp.exists():
        return False
    try:
        return json.loads(stamp.read_text(encoding="utf-8")).get("fingerprint") == print_fp
    except (OSError, ValueError):
        return False


def ensure_pipeline(output: Path = OUTPUT_DIR, force: bool = False, requested: str = "") -> Path:
    """Build the pipeline into ``output`` unless an up-to-date build is there."""
    base = choose_base(requested or load_settings().spacy_base)
    patterns = entity_patterns()
    fp = fingerprint(base, patterns)
    if not force and is_current(output, fp):
        print(f"spaCy-Pipeline aktuell ({output}, Basis: {base}).")
        return output
    nlp = build(base, patterns)
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    nlp.to_disk(tmp)
    (tmp / STAMP_FILE).write_text(
        json.dumps({"fingerprint": fp, "base": base}, indent=2), encoding="utf-8"
    )
    shutil.rmtree(output, ignore_errors=True)
    tmp.rename(output)
    print(f"spaCy-Pipeline gebaut: {output} (Basis: {base}, Komponenten: {nlp.pipe_names}).")
    return output


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--output", type=Path, default=OUTPUT_DIR)
    parser.add_argument("--force", action="store_true", help="immer neu bauen")
    parser.add_argument("--base", default="", help="auto | blank | de_core_news_sm")
    args = parser.parse_args(argv)
    ensure_pipeline(args.output, args.force, args.base)
    return 0


if __name__ == "__main__":
    sys.exit(main())
