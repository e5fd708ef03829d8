"""Read-only access to the directory database; one connection per call (cheap for SQLite)."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from bot.directory.yaml_source import DirectoryError


@contextmanager
def connect(db_path: Path) -> Iterator[sqlite3.Connection]:
    """Open ``db_path`` read-only; a missing or broken file is a :class:`DirectoryError`."""
    if not db_path.exists():
        raise DirectoryError(
            f"Kontaktverzeichnis {db_path} fehlt – bitte `bot verzeichnis` (oder make directory) ausführen."
        )
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        conn.execute("SELECT 1 FROM meta LIMIT 1")
    except sqlite3.Error as error:
        raise DirectoryError(f"Kontaktverzeichnis {db_path} ist beschädigt ({error}) – neu bauen.") from error
    try:
        yield conn
    finally:
        conn.close()
