"""The three Länder with their spellings and kreisfreie Städte (``data/directory/laender.yml``).

One source for the entity ruler (which finds a Land or city in a message) and for the
synonyms that map what was found to the Land's canonical name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Tuple

from bot.config import PROJECT_ROOT
from bot.directory.yaml_source import DirectoryError, entries, require

LAENDER_FILE = PROJECT_ROOT / "data" / "directory" / "laender.yml"
ENTITY = "land"


@dataclass(frozen=True)
class Land:
    name: str
    variants: Tuple[str, ...]
    cities: Tuple[str, ...]
    source: str
    verified: str

    @property
    def spellings(self) -> Tuple[str, ...]:
        """Every text that means this Land, without case duplicates, name first."""
        seen: Dict[str, str] = {}
        for text in (self.name, *self.variants, *self.cities):
            seen.setdefault(text.lower(), text)
        return tuple(seen.values())


def load_laender(path: Path = LAENDER_FILE) -> List[Land]:
    """Parse and validate; errors name file and line."""
    laender = []
    for where, entry in entries(path, "laender"):
        require(where, entry, "name", "source", "verified")
        laender.append(Land(
            name=str(entry["name"]),
            variants=tuple(str(v) for v in entry.get("variants") or ()),
            cities=tuple(str(c) for c in entry.get("staedte") or ()),
            source=str(entry["source"]),
            verified=str(entry["verified"]),
        ))
    _check_unique(laender, path)
    return laender


def _check_unique(laender: List[Land], path: Path) -> None:
    owner: Dict[str, str] = {}
    for land in laender:
        for text in land.spellings:
            other = owner.setdefault(text.lower(), land.name)
            if other != land.name:
                raise DirectoryError(f"{path}: „{text}“ steht bei {other} und bei {land.name}.")
