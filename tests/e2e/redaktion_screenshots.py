"""Copy the console screenshots of the last browser test run into docs/img/, small (256 colours).

Run after ``make test-redaktion``: ``.venv/bin/python -m tests.e2e.redaktion_screenshots``.
"""

from __future__ import annotations

import sys

from PIL import Image

from bot.config import PROJECT_ROOT

ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
TARGET = PROJECT_ROOT / "docs" / "img"
SHOWN = ("anmelden", "themen", "thema-bearbeiten", "eingang", "kontakt", "veroeffentlichen-laeuft",
         "ausprobieren", "verlauf")  # the ones docs/redaktion.md shows


def main() -> int:
    TARGET.mkdir(parents=True, exist_ok=True)
    missing = [name for name in SHOWN if not (ARTIFACTS / f"redaktion-{name}.png").exists()]
    if missing:
        print(f"Fehlen (erst make test-redaktion): {', '.join(missing)}", file=sys.stderr)
        return 1
    for name in SHOWN:
        source, target = ARTIFACTS / f"redaktion-{name}.png", TARGET / f"redaktion-{name}.png"
        with Image.open(source) as image:
            image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)
        print(f"{target.relative_to(PROJECT_ROOT)}: {source.stat().st_size // 1024} KB → {target.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
