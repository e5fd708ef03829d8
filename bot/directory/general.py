"""Load the general contacts (``data/directory/allgemein.yml``) with strict checks.

Every entry must name its ``source`` and ``verified`` month; errors name file and line
so staff can fix them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

import yaml

from bot.config import PROJECT_ROOT

GENERAL_CONTACTS_FILE = PROJECT_ROOT / "data" / "directory" / "allgemein.yml"
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_REQUIRED = ("name", "description", "website", "source", "verified")


class DirectoryError(ValueError):
    """A directory file is broken; the message says where and what to do."""


@dataclass(frozen=True)
class Contact:
    name: str
    description: str
    website: str
    source: str
    verified: str
    phone: Optional[str] = None
    hours: Optional[str] = None


def _line_of(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def load_general_contacts(path: Path = GENERAL_CONTACTS_FILE) -> List[Contact]:
    """Parse and validate the file; raise :class:`DirectoryError` with file:line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DirectoryError(f"{path}: Datei nicht lesbar ({error.strerror}).") from error
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise DirectoryError(f"{where}: ungültiges YAML – {getattr(error, 'problem', error)}.") from error
    data = yaml.safe_load(text) or {}
    entries = data.get("contacts") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise DirectoryError(f"{path}: Schlüssel „contacts:“ mit mindestens einem Eintrag fehlt.")
    nodes = [value for key, value in root.value if key.value == "contacts"][0].value
    contacts: List[Contact] = []
    for entry, node in zip(entries, nodes):
        where = f"{path}:{_line_of(node)}"
        if not isinstance(entry, dict):
            raise DirectoryError(f"{where}: Eintrag muss aus „schlüssel: wert“-Zeilen bestehen.")
        missing = [key for key in _REQUIRED if not str(entry.get(key) or "").strip()]
        if missing:
            raise DirectoryError(f"{where}: Pflichtfeld(er) fehlen: {', '.join(missing)}.")
        verified = str(entry["verified"])
        if not _MONTH.match(verified):
            raise DirectoryError(f"{where}: „verified“ muss JJJJ-MM sein, nicht „{verified}“.")
        contacts.append(
            Contact(
                name=str(entry["name"]),
                description=str(entry["description"]),
                website=str(entry["website"]),
                source=str(entry["source"]),
                verified=verified,
                phone=str(entry["phone"]) if entry.get("phone") else None,
                hours=str(entry["hours"]) if entry.get("hours") else None,
            )
        )
    return contacts
