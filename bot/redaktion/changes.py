"""One saved change = read, transform, validate, atomic write, git commit, audit entry – under a lock.

Optimistic locking: a form carries the version (content hash) it was loaded from; if the file
changed since, nothing is written and the person is told who changed it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Callable, List, Optional

from bot.redaktion import gitrepo
from bot.redaktion.store import Store, User
from bot.redaktion.yamlfile import EditRefused, atomic_write, project_lock, version_of


class Conflict(EditRefused):
    """The file changed since the form was loaded."""


@dataclass(frozen=True)
class Workspace:
    """The project checkout the console edits, and where it records who did what."""

    root: Path
    store: Store

    @cached_property
    def versioned(self) -> bool:
        return gitrepo.is_repo(self.root)

    def last_change(self, rel: str) -> str:
        revisions = gitrepo.history(self.root, rel, limit=1) if self.versioned else []
        if not revisions:
            return ""
        rev = revisions[0]
        return f" (zuletzt von {rev.author}, {rev.date[:16].replace('T', ' ')})"

    def change_file(self, user: User, rel: str, transform: Callable[[Optional[str]], str],
                    validate: Callable[[str], List[str]], message: str, action: str,
                    expected_version: Optional[str] = None, create: bool = False,
                    after_write: Optional[Callable[[], None]] = None) -> str:
        """Apply ``transform`` to the file's text and save it; returns the commit id ('' without git)."""
        path = self.root / rel
        with project_lock(self.root):
            current = path.read_text(encoding="utf-8") if path.is_file() else None
            if create and current is not None:
                raise EditRefused(f"{rel} gibt es schon.")
            if not create and current is None:
                raise EditRefused(f"{rel} gibt es nicht (mehr).")
            if expected_version is not None and current is not None and version_of(current) != expected_version:
                raise Conflict("Die Datei wurde inzwischen geändert" + self.last_change(rel) + ". Ihre Änderung "
                               "wurde nicht gespeichert, damit nichts verloren geht: Unten steht die aktuelle "
                               "Fassung, Ihre Eingaben stehen daneben zum Übernehmen.")
            new_text = transform(current)
            if new_text == current:
                raise EditRefused("Keine Änderung – es wurde nichts gespeichert.")
            problems = validate(new_text)
            if problems:
                raise EditRefused("Nicht gespeichert – bitte korrigieren:", problems)
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(path, new_text)
            if after_write is not None:
                try:
                    after_write()
                except Exception:
                    if current is None:
                        path.unlink()
                    else:
                        atomic_write(path, current)
                    raise
            commit_id = ""
            if self.versioned:
                commit_id = gitrepo.commit(self.root, [rel], message, user.display_name, user.email)
        self.store.log(user.username, action, rel, message, commit_id)
        return commit_id
