"""Git for the console: each saved change is a commit with the editor as author; history and
rollback per file. Uses the ``git`` command line (no library), always with an explicit path list."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional

COMMITTER = ("Gründungslotse Redaktionskonsole", "redaktion@gruendungslotse.invalid")
FIELD, RECORD = "\x1f", "\x1e"


class GitError(RuntimeError):
    """git failed; the message is for the technical team (German wrapper shown to staff)."""


@dataclass(frozen=True)
class Revision:
    commit: str
    short: str
    author: str
    email: str
    date: str  # ISO 8601
    subject: str


def _git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env_args = ["-c", f"user.name={COMMITTER[0]}", "-c", f"user.email={COMMITTER[1]}",
                "-c", "core.quotepath=false", "-c", "commit.gpgsign=false"]
    result = subprocess.run(["git", *env_args, *args], cwd=root, capture_output=True, text=True, timeout=60)
    if check and result.returncode != 0:
        raise GitError(f"git {' '.join(args[:2])}: {result.stderr.strip() or result.stdout.strip()}")
    return result


def is_repo(root: Path) -> bool:
    try:
        result = _git(root, "rev-parse", "--show-toplevel", check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and Path(result.stdout.strip()).resolve() == root.resolve()


def commit(root: Path, rel_paths: List[str], message: str, author_name: str, author_email: str) -> str:
    """Commit exactly ``rel_paths`` (also new files) with the editor as author; returns the commit id
    ("" if nothing changed)."""
    _git(root, "add", "--", *rel_paths)
    if _git(root, "diff", "--cached", "--quiet", "--", *rel_paths, check=False).returncode == 0:
        return ""
    safe_name = " ".join(author_name.replace("<", "").replace(">", "").split()) or "Unbekannt"
    safe_mail = author_email.replace("<", "").replace(">", "").strip() or COMMITTER[1]
    _git(root, "commit", "--only", "--no-verify", "-m", message, f"--author={safe_name} <{safe_mail}>",
         "--", *rel_paths)
    return _git(root, "rev-parse", "HEAD").stdout.strip()


def history(root: Path, rel_path: str, limit: int = 50) -> List[Revision]:
    """Commits that changed ``rel_path``, newest first (follows renames)."""
    fmt = FIELD.join(("%H", "%h", "%an", "%ae", "%aI", "%s")) + RECORD
    result = _git(root, "log", f"-n{limit}", "--follow", f"--format={fmt}", "--", rel_path, check=False)
    if result.returncode != 0:
        return []
    revisions = []
    for record in result.stdout.split(RECORD):
        parts = record.strip("\n").split(FIELD)
        if len(parts) == 6:
            revisions.append(Revision(*parts))
    return revisions


def show_file(root: Path, commit_id: str, rel_path: str) -> Optional[str]:
    """The file's content in ``commit_id`` (None if it did not exist there)."""
    result = _git(root, "show", f"{commit_id}:{rel_path}", check=False)
    return result.stdout if result.returncode == 0 else None


def diff(root: Path, commit_id: str, rel_path: str) -> str:
    """What ``commit_id`` changed in ``rel_path`` (unified diff, 3 lines of context)."""
    return _git(root, "show", "--format=", "--no-color", "--unified=3", commit_id, "--", rel_path).stdout


def resolve(root: Path, commit_id: str) -> Optional[str]:
    """The full id of a commit given by (a prefix of) its hex id; None if unknown."""
    if not commit_id or not all(c in "0123456789abcdef" for c in commit_id.lower()) or len(commit_id) > 40:
        return None
    result = _git(root, "rev-parse", "--verify", "--quiet", f"{commit_id}^{{commit}}", check=False)
    return result.stdout.strip() if result.returncode == 0 else None
