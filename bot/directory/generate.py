"""Generate the NLU data and entity-ruler patterns from the directory, so staff edit one source.

- ``entity_patterns()``: spaCy entity-ruler patterns – ``ort`` (Länder, Kreise, towns, with
  ae/oe/ue spellings), ``hochschule`` (institutions and their short names), ``thema`` (topic keywords).
- ``data/nlu/generated/verzeichnis.yml``: synonyms keyword → topic key (Rasa's EntitySynonymMapper)
  and lookup tables of places/institutions (features for intent classification).
``--check`` exits non-zero if the committed file is out of date.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any, Dict, Iterable, List, Optional

from bot.config import PROJECT_ROOT
from bot.directory.sources import Directory, load_directory
from bot.directory.text import spellings
from bot.directory.yaml_source import DirectoryError

GENERATED_DIR = PROJECT_ROOT / "data" / "nlu" / "generated"
GENERATED_FILE = GENERATED_DIR / "verzeichnis.yml"
HEADER = (
    'version: "3.1"\n\n'
    "# GENERIERT aus data/directory/*.yml – nicht von Hand ändern.\n"
    "# Neu erzeugen: bot verzeichnis (läuft auch bei make train).\n"
)


def _unique(texts: Iterable[str]) -> List[str]:
    seen: Dict[str, str] = {}
    for text in texts:
        for spelling in spellings(text.strip()):
            seen.setdefault(spelling.lower(), spelling)
    return list(seen.values())


def place_names(d: Directory) -> List[str]:
    return _unique(a for p in d.places for a in (p.name, *p.aliases))


def outside_names(d: Directory) -> List[str]:
    return _unique(a for o in d.outside for a in (o.name, *o.aliases))


def institution_names(d: Directory) -> List[str]:
    return _unique(a for i in d.institutions for a in (i.name, *i.aliases))


def entity_patterns(d: Optional[Directory] = None) -> List[Dict[str, Any]]:
    """Phrase patterns (matched case-insensitively). Longer matches win over shorter ones."""
    d = d or load_directory()
    patterns = [{"label": "ort", "pattern": n} for n in place_names(d) + outside_names(d)]
    patterns += [{"label": "hochschule", "pattern": n} for n in institution_names(d)]
    patterns += [{"label": "thema", "pattern": k, "id": t.key} for t in d.topics for k in _unique(t.keywords)]
    return patterns


def render(d: Directory) -> str:
    lines = [HEADER, "nlu:"]
    for topic in d.topics:
        lines.append(f"  - synonym: {topic.key}")
        lines.append("    examples: |")
        lines += [f"      - {k.lower()}" for k in _unique(topic.keywords)]
    for name, values in (("ort", place_names(d) + outside_names(d)), ("hochschule", institution_names(d))):
        lines.append(f"  - lookup: {name}")
        lines.append("    examples: |")
        lines += [f"      - {v}" for v in values]
    return "\n".join(lines) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="nur prüfen, nichts schreiben")
    args = parser.parse_args(argv)
    try:
        content = render(load_directory())
    except DirectoryError as error:
        print(f"Fehler im Kontaktverzeichnis: {error}", file=sys.stderr)
        return 1
    current = GENERATED_FILE.read_text(encoding="utf-8") if GENERATED_FILE.exists() else ""
    if args.check:
        if current != content:
            print(f"{GENERATED_FILE} ist veraltet: bot verzeichnis ausführen.")
            return 1
        return 0
    if current != content:
        GENERATED_DIR.mkdir(parents=True, exist_ok=True)
        GENERATED_FILE.write_text(content, encoding="utf-8")
        print(f"{GENERATED_FILE.relative_to(PROJECT_ROOT)} neu erzeugt.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
