"""Round-trip editing of the staff YAML files: comments, quotes and layout stay as they are.

ruamel.yaml (installed with Rasa) loads a file into commented maps/lists; the console changes
values in place and dumps it again. A file whose unchanged round trip would already differ
from the original is refused (its diff would show changes nobody made). Writes are atomic
(temporary file + ``os.replace``) and serialised by a lock per project.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import os
import re
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from ruamel.yaml import YAML
import yaml as pyyaml
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")
_thread_lock = threading.Lock()


class EditRefused(ValueError):
    """Why a change was not written (German, for the form); ``problems`` lists the details."""

    def __init__(self, message: str, problems: Optional[List[str]] = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])


def round_trip() -> YAML:
    """The YAML settings of the project's files: 2-space maps, lists indented by 2 under their key."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold long lines
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


_read_cache: Dict[Tuple[str, str], Tuple[Tuple[int, int, int], Any]] = {}


def cached_read(path: Path, kind: str, parse: Callable[[str], Any]) -> Any:
    """``parse(text of path)``, reused while the file's inode, modification time and size stay the same
    (list pages parse every file; ruamel is slow). ``parse`` must return immutable data."""
    stat = path.stat()
    key, stamp = (str(path), kind), (stat.st_ino, stat.st_mtime_ns, stat.st_size)  # atomic writes: new inode
    hit = _read_cache.get(key)
    if hit is not None and hit[0] == stamp:
        return hit[1]
    value = parse(path.read_text(encoding="utf-8"))
    _read_cache[key] = (stamp, value)
    return value


def version_of(text: str) -> str:
    """Short content hash: the version a form was loaded from (optimistic locking)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def load(text: str) -> Any:
    try:
        return round_trip().load(text)
    except YAMLError as error:
        raise EditRefused(f"Die Datei enthält ungültiges YAML ({error.__class__.__name__}) – "
                          "bitte die technische Betreuung fragen.") from None


def dump(data: Any) -> str:
    out = io.StringIO()
    round_trip().dump(data, out)
    return out.getvalue()


def editable(text: str) -> Any:
    """Load ``text`` for editing; refused if a round trip would change the file by itself."""
    data = load(text)
    if dump(data) != text:
        raise EditRefused("Diese Datei ist so formatiert, dass die Konsole sie nicht verlustfrei speichern "
                          "kann – bitte im Editor ändern oder die technische Betreuung fragen.")
    return data


def clean_line(value: str, label: str, max_chars: int = 300) -> str:
    """A single-line field: no line breaks or control characters, spaces trimmed."""
    value = value.strip()
    if "\n" in value or "\r" in value or CONTROL.search(value):
        raise EditRefused(f"{label}: bitte nur eine Zeile ohne Steuerzeichen eingeben.")
    if len(value) > max_chars:
        raise EditRefused(f"{label}: höchstens {max_chars} Zeichen.")
    return value


def clean_block(value: str, label: str) -> str:
    """A multi-line text: Unix line breaks, no control characters, no trailing spaces per line."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    if CONTROL.search(value):
        raise EditRefused(f"{label}: enthält Steuerzeichen – bitte den Text neu eintippen.")
    lines = [line.rstrip() for line in value.strip("\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines).strip()


@contextmanager
def project_lock(root: Path) -> Iterator[None]:
    """One writer at a time: a thread lock in this process and a file lock across processes."""
    name = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:12]
    with _thread_lock:
        with open(Path(tempfile.gettempdir()) / f"gl-redaktion-{name}.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def atomic_write(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder and ``os.replace`` (keeps the file mode)."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def scalar(value: str) -> Any:
    """``value`` as a plain scalar if YAML reads it back as the same string, else double-quoted
    (so "ja", "0341", "null" or "a: b" stay strings)."""
    try:
        plain_ok = pyyaml.safe_load(value) == value and load(f"k: {value}\n")["k"] == value
    except Exception:  # noqa: BLE001 – anything unusual gets quotes
        plain_ok = False
    return value if plain_ok else DoubleQuotedScalarString(value)
