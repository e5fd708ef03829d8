"""Read a staff-edited YAML list with errors that name file and line."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict, Iterator, Optional, Tuple

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class DirectoryError(ValueError):
    """A directory file is broken; the message says where and what to do."""


def utf8_error_line(raw: bytes, error: UnicodeDecodeError) -> int:
    """1-based line of the first byte that is not UTF-8."""
    return raw[: error.start].count(b"\n") + 1


def read_yaml(path: Path) -> Tuple[Any, Any]:
    """``(node tree, data)`` of a YAML file; every problem as :class:`DirectoryError` with file:line."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DirectoryError(f"{path}: Datei nicht lesbar ({error.strerror}).") from error
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DirectoryError(
            f"{path}:{utf8_error_line(raw, error)}: Zeichen, das kein UTF-8 ist (Byte 0x{raw[error.start]:02x}) – "
            f"Datei im Editor als UTF-8 speichern und Umlaute in dieser Zeile neu tippen.") from error
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader), yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise DirectoryError(f"{where}: ungültiges YAML – {getattr(error, 'problem', error)}.") from error


def entries(path: Path, key: str) -> Iterator[Tuple[str, Dict[str, Any]]]:
    """Yield ``("<file>:<line>", entry)`` for each item of the list under ``key``."""
    for where, item, _ in entries_with_nodes(path, key):
        yield where, item


def entries_with_nodes(path: Path, key: str) -> Iterator[Tuple[str, Dict[str, Any], Node]]:
    """Like :func:`entries`, plus each entry's YAML node (for the lines of nested values)."""
    root, data = read_yaml(path)
    items = data.get(key) if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise DirectoryError(f"{path}: Schlüssel „{key}:“ mit mindestens einem Eintrag fehlt.")
    nodes = [value for name, value in root.value if name.value == key][0].value
    for item, node in zip(items, nodes):
        where = f"{path}:{node.start_mark.line + 1}"
        if not isinstance(item, dict):
            raise DirectoryError(f"{where}: Eintrag muss aus „schlüssel: wert“-Zeilen bestehen.")
        yield where, item, node


def child(node: Optional[Node], *path: Any) -> Optional[Node]:
    """The node at ``path`` below ``node``: mapping keys (str) and list positions (int)."""
    for step in path:
        if isinstance(step, int) and isinstance(node, SequenceNode) and step < len(node.value):
            node = node.value[step]
        elif isinstance(step, str) and isinstance(node, MappingNode):
            node = next((v for k, v in node.value if isinstance(k, ScalarNode) and k.value == step), None)
        else:
            return None
    return node


def key_node(node: Optional[Node], key: str) -> Optional[Node]:
    """The key node ``key:`` of a mapping (its line is where staff see the key)."""
    if isinstance(node, MappingNode):
        return next((k for k, _ in node.value if isinstance(k, ScalarNode) and k.value == key), None)
    return None


def line_of(path: Path, node: Optional[Node], fallback: str) -> str:
    """``"<file>:<line>"`` of ``node``, or ``fallback`` if there is none."""
    return f"{path}:{node.start_mark.line + 1}" if node is not None else fallback


def require(where: str, item: Dict[str, Any], *keys: str) -> None:
    """Every key non-empty, and ``verified`` (if required) as JJJJ-MM."""
    missing = [k for k in keys if not str(item.get(k) or "").strip()]
    if missing:
        raise DirectoryError(f"{where}: Pflichtfeld(er) fehlen: {', '.join(missing)}.")
    if "verified" in keys and not MONTH.match(str(item["verified"])):
        raise DirectoryError(f"{where}: „verified“ muss JJJJ-MM sein, nicht „{item['verified']}“.")
