"""Generate NLU files from the directory, so staff edit one source.

``data/nlu/generated/regionen.yml``: synonyms Land/city spelling → canonical Land name
(used by Rasa's EntitySynonymMapper after the spaCy entity ruler found the place).
``--check`` exits non-zero if the committed file is out of date.
"""

from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from bot.config import PROJECT_ROOT
from bot.directory.regions import Land, load_laender

GENERATED_DIR = PROJECT_ROOT / "data" / "nlu" / "generated"
REGIONS_FILE = GENERATED_DIR / "regionen.yml"
HEADER = (
    'version: "3.1"\n\n'
    "# GENERIERT aus data/directory/laender.yml – nicht von Hand ändern.\n"
    "# Neu erzeugen: .venv/bin/python -m bot.directory.generate (läuft auch bei make train).\n"
)


def render_regions(laender: List[Land]) -> str:
    lines = [HEADER, "nlu:"]
    for land in laender:
        others = [s for s in land.spellings if s.lower() != land.name.lower()]
        if not others:
            continue
        lines.append(f"  - synonym: {land.name}")
        lines.append("    examples: |")
        lines += [f"      - {text.lower()}" for text in others]
    return "\n".join(lines) + "\n"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="nur prüfen, nichts schreiben")
    args = parser.parse_args(argv)
    content = render_regions(load_laender())
    current = REGIONS_FILE.read_text(encoding="utf-8") if REGIONS_FILE.exists() else ""
    if args.check:
        if current != content:
            print(f"{REGIONS_FILE} ist veraltet: python -m bot.directory.generate ausführen.")
            return 1
        return 0
    if current != content:
        GENERATED_DIR.mkdir(parents=True, exist_ok=True)
        REGIONS_FILE.write_text(content, encoding="utf-8")
        print(f"{REGIONS_FILE.relative_to(PROJECT_ROOT)} neu erzeugt.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
