"""The three Länder with their spellings and kreisfreie Städte (``data/directory/laender.yml``).

One source for the entity ruler (which finds a Land or city in a message) and for the
synonyms that map what was found to the Land's canonical name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

from bot.config import PROJECT_ROOT
from bot.directory.general import DirectoryError

LAENDER_FILE = PROJECT_ROOT / "data" / "directory" / "laender.yml"
ENTITY = "land"
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


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
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text) or {}
    except OSError as error:
        raise DirectoryError(f"{path}: Datei nicht lesbar ({error.strerror}).") from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise DirectoryError(f"{where}: ungültiges YAML – {getattr(error, 'problem', error)}.") from error
    entries = data.get("laender") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise DirectoryError(f"{path}: Schlüssel „laender:“ mit Einträgen fehlt.")
    nodes = [value for key, value in root.value if key.value == "laender"][0].value
    laender = []
    for entry, node in zip(entries, nodes):
        where = f"{path}:{node.start_mark.line + 1}"
        missing = [k for k in ("name", "source", "verified") if not str(entry.get(k) or "").strip()]
        if missing:
            raise DirectoryError(f"{where}: Pflichtfeld(er) fehlen: {', '.join(missing)}.")
        if not _MONTH.match(str(entry["verified"])):
            raise DirectoryError(f"{where}: „verified“ muss JJJJ-MM sein.")
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
