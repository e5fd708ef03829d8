"""Read a staff-edited YAML list with errors that name file and line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, Iterator, Tuple

import yaml

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class DirectoryError(ValueError):
    """A directory file is broken; the message says where and what to do."""


def entries(path: Path, key: str) -> Iterator[Tuple[str, Dict[str, Any]]]:
    """Yield ``("<file>:<line>", entry)`` for each item of the list under ``key``."""
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
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise DirectoryError(f"{path}: Schlüssel „{key}:“ mit mindestens einem Eintrag fehlt.")
    nodes = [value for name, value in root.value if name.value == key][0].value
    for item, node in zip(items, nodes):
        where = f"{path}:{node.start_mark.line + 1}"
        if not isinstance(item, dict):
            raise DirectoryError(f"{where}: Eintrag muss aus „schlüssel: wert“-Zeilen bestehen.")
        yield where, item


def require(where: str, item: Dict[str, Any], *keys: str) -> None:
    """Every key non-empty, and ``verified`` (if required) as JJJJ-MM."""
    missing = [k for k in keys if not str(item.get(k) or "").strip()]
    if missing:
        raise DirectoryError(f"{where}: Pflichtfeld(er) fehlen: {', '.join(missing)}.")
    if "verified" in keys and not MONTH.match(str(item["verified"])):
        raise DirectoryError(f"{where}: „verified“ muss JJJJ-MM sein, nicht „{item['verified']}“.")
