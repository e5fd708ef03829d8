"""Contact entries of ``data/directory/*.yml`` as the console edits them.

Generic: every mapping with a ``name`` and a contact field (website, link, phone, e-mail, address,
hours) is an entry, addressed by its path in the file (``kreise.3.wirtschaftsfoerderung``), so new
files and new fields need no code. A change is validated exactly like ``bot verzeichnis`` (all
files loaded from an overlay copy) and like ``bot check`` (source https, verified JJJJ-MM).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import yaml
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from bot.directory.sources import load_directory
from bot.directory.yaml_source import DirectoryError
from bot.redaktion.topic_rules import HTTPS_URL, current_month
from bot.redaktion.yamlfile import EditRefused, cached_read, clean_line, editable, load, scalar
from bot.redaktion.yamlfile import dump as dump_yaml
from bot.staff.check import check_directory
from bot.staff.findings import ERROR

DIRECTORY = Path("data") / "directory"
FILE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,60}\.yml$")
ENTRY_PATH = re.compile(r"^[a-z_]{1,40}(\.([a-z_]{1,40}|\d{1,5}))*$")
CONTACT_FIELDS = ("website", "phone", "email", "address", "hours")
PROGRAMME_FIELDS = ("link",)
URL_FIELDS = ("website", "link", "source")
FIELD_LABELS = {"website": "Website", "phone": "Telefon", "email": "E-Mail", "address": "Adresse",
                "hours": "Sprechzeiten", "link": "Programmseite", "source": "Quelle (geprüfte Seite)",
                "verified": "Geprüft (JJJJ-MM)"}
PHONE = re.compile(r"^\+?[0-9][0-9 ()/\-]{1,30}$")
EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[A-Za-z]{2,}$")
MONTH = re.compile(r"^(20\d\d)-(0[1-9]|1[0-2])$")


@dataclass(frozen=True)
class Contact:
    file: str
    path: str
    line: int
    name: str
    context: str
    fields: Tuple[Tuple[str, str], ...]  # editable field → current value ('' = not set)
    verified: str

    @property
    def values(self) -> Dict[str, str]:
        return dict(self.fields)


def file_names(root: Path) -> List[str]:
    return sorted(p.name for p in (root / DIRECTORY).glob("*.yml") if FILE_NAME.match(p.name))


def rel_path(root: Path, name: str) -> str:
    if not FILE_NAME.match(name or "") or name not in file_names(root):
        raise EditRefused(f"Eine Verzeichnisdatei „{name}“ gibt es nicht.")
    return (DIRECTORY / name).as_posix()


def _is_contact(node: Any) -> bool:
    return isinstance(node, dict) and bool(node.get("name")) and any(
        key in node for key in CONTACT_FIELDS + PROGRAMME_FIELDS)


def _walk(node: Any, path: str, context: str) -> Iterator[Tuple[str, Any, str]]:
    if isinstance(node, dict):
        if path and _is_contact(node):
            yield path, node, context
        label = str(node.get("name") or context)
        for key, value in node.items():
            if isinstance(key, str) and re.fullmatch(r"[a-z_]{1,40}", key):
                yield from _walk(value, f"{path}.{key}" if path else key, label)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk(value, f"{path}.{index}", context)


def editable_fields(entry: Any) -> Tuple[str, ...]:
    base = PROGRAMME_FIELDS if "link" in entry else CONTACT_FIELDS
    return base + ("source",)


def _contact(file: str, path: str, entry: Any, context: str) -> Contact:
    fields = tuple((key, str(entry.get(key) or "")) for key in editable_fields(entry))
    line = entry.lc.line + 1 if hasattr(entry, "lc") else 0
    own = str(entry.get("name"))
    return Contact(file=file, path=path, line=line, name=own, context=context if context != own else "",
                   fields=fields, verified=str(entry.get("verified") or ""))


def read_contacts(root: Path, name: str) -> List[Contact]:
    rel = rel_path(root, name)

    def parse(text: str) -> Tuple[Contact, ...]:
        return tuple(_contact(name, path, entry, context) for path, entry, context in _walk(load(text), "", ""))

    return list(cached_read(root / rel, "kontakte", parse))


def read_all(root: Path) -> List[Contact]:
    found: List[Contact] = []
    for name in file_names(root):
        try:
            found += read_contacts(root, name)
        except EditRefused:
            continue
    return found


def _resolve(data: Any, path: str) -> Any:
    if not ENTRY_PATH.match(path or ""):
        raise EditRefused("Diesen Eintrag gibt es nicht.")
    node = data
    for part in path.split("."):
        try:
            node = node[int(part)] if isinstance(node, list) else node[part]
        except (KeyError, IndexError, ValueError, TypeError):
            raise EditRefused("Diesen Eintrag gibt es nicht (mehr) – bitte die Liste neu laden.") from None
    if not _is_contact(node):
        raise EditRefused("Diesen Eintrag gibt es nicht (mehr) – bitte die Liste neu laden.")
    return node


def find_contact(root: Path, name: str, path: str) -> Contact:
    if not ENTRY_PATH.match(path or ""):
        raise EditRefused("Diesen Eintrag gibt es nicht.")
    found = next((c for c in read_contacts(root, name) if c.path == path), None)
    if found is None:
        raise EditRefused("Diesen Eintrag gibt es nicht (mehr) – bitte die Liste neu laden.")
    return found


def check_value(key: str, value: str, today: date) -> Optional[str]:
    label = FIELD_LABELS.get(key, key)
    if key in URL_FIELDS and not HTTPS_URL.match(value):
        return f"{label}: vollständige Adresse mit https:// angeben."
    if key == "phone" and not PHONE.match(value):
        return f"{label}: nur Ziffern, Leerzeichen, + ( ) / - – so wie auf der Quellseite."
    if key == "email" and not EMAIL.match(value):
        return f"{label}: keine gültige E-Mail-Adresse."
    if key == "verified":
        match = MONTH.match(value)
        if not match:
            return f"{label}: Monat als JJJJ-MM angeben, z. B. {current_month(today)}."
        if (int(match.group(1)), int(match.group(2))) > (today.year, today.month):
            return f"{label}: liegt in der Zukunft."
    return None


def save_contact(text: str, path: str, values: Dict[str, str], verified_now: bool,
                 today: Optional[date] = None) -> str:
    """Set the editable fields (empty = remove the field); ``verified`` = this month if checked."""
    today = today or date.today()
    data = editable(text)
    entry = _resolve(data, path)
    problems = []
    for key in editable_fields(entry) + ("verified",):
        if key == "verified" and verified_now:
            value = current_month(today)
        elif key in values:
            value = clean_line(values[key], FIELD_LABELS.get(key, key))
        else:
            continue
        if not value:
            if key in ("source", "verified"):
                problems.append(f"{FIELD_LABELS[key]}: darf nicht leer sein.")
            elif key in entry:
                del entry[key]
            continue
        problem = check_value(key, value, today)
        if problem:
            problems.append(problem)
        elif str(entry.get(key) or "") != value:
            written = value if key == "verified" or key in URL_FIELDS else (
                DoubleQuotedScalarString(value) if key == "phone" else scalar(value))
            if key in entry:
                entry[key] = written
            else:  # new fields go before source/verified, where people look for them
                keys = list(entry.keys())
                position = keys.index("source") if "source" in keys else len(keys)
                entry.insert(position, key, written)
    if problems:
        raise EditRefused("Nicht gespeichert – bitte korrigieren:", problems)
    return dump_yaml(data)


def validate_directory_file(root: Path, name: str, new_text: str, today: Optional[date] = None) -> List[str]:
    """Problems if ``new_text`` became ``data/directory/<name>``: ``bot verzeichnis`` rules on all files,
    then ``bot check`` rules for this file."""
    with tempfile.TemporaryDirectory(prefix="gl-verzeichnis-") as tmp:
        overlay = Path(tmp) / "data" / "directory"
        shutil.copytree(root / DIRECTORY, overlay, ignore=shutil.ignore_patterns(".*"))
        (overlay / name).write_text(new_text, encoding="utf-8")
        try:
            load_directory(overlay)
        except DirectoryError as error:
            return [str(error).replace(str(overlay), DIRECTORY.as_posix())]
        docs = {overlay / name: yaml.compose(new_text, Loader=yaml.SafeLoader)}
        findings = check_directory(Path(tmp), docs, today or date.today())
    return [f"{f.file}:{f.line}: {f.message} {f.hint}".strip() for f in findings if f.level == ERROR]


def values_written(new_text: str, path: str) -> Dict[str, str]:
    """What PyYAML (as the bot reads the file) sees in the entry after the change."""
    node: Any = yaml.safe_load(new_text)
    for part in path.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return {k: v for k, v in node.items() if isinstance(k, str)}
