"""Load the general contacts (``data/directory/allgemein.yml``) with strict checks.

Every entry must name its ``source`` and ``verified`` month; errors name file and line
so staff can fix them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

from bot.config import PROJECT_ROOT
from bot.directory.yaml_source import DirectoryError, entries, require

__all__ = ["Contact", "DirectoryError", "load_general_contacts"]

GENERAL_CONTACTS_FILE = PROJECT_ROOT / "data" / "directory" / "allgemein.yml"
_REQUIRED = ("name", "description", "website", "source", "verified")


@dataclass(frozen=True)
class Contact:
    name: str
    description: str
    website: str
    source: str
    verified: str
    phone: Optional[str] = None
    hours: Optional[str] = None


def load_general_contacts(path: Path = GENERAL_CONTACTS_FILE) -> List[Contact]:
    """Parse and validate the file; raise :class:`DirectoryError` with file:line."""
    contacts: List[Contact] = []
    for where, entry in entries(path, "contacts"):
        require(where, entry, *_REQUIRED)
        contacts.append(
            Contact(
                name=str(entry["name"]),
                description=str(entry["description"]),
                website=str(entry["website"]),
                source=str(entry["source"]),
                verified=str(entry["verified"]),
                phone=str(entry["phone"]) if entry.get("phone") else None,
                hours=str(entry["hours"]) if entry.get("hours") else None,
            )
        )
    return contacts
