"""Build the contact directory database (SQLite) from ``data/directory/``.

``python -m bot.directory.build`` (also ``bot verzeichnis`` and ``make directory``): checks every
file first; only if all are valid is the new database written – to a temporary file that then
replaces the old one atomically, so the running bot never sees a half-built or broken directory.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Set, Tuple

from bot.config import PROJECT_ROOT
from bot.directory.sources import DIRECTORY_DIR, Directory, load_directory
from bot.directory.text import fold
from bot.directory.yaml_source import DirectoryError

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE regions (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL CHECK (kind IN ('land', 'kreis', 'gemeinde')),
    art TEXT NOT NULL, land TEXT NOT NULL, kreis_id INTEGER REFERENCES regions (id),
    source TEXT NOT NULL, verified TEXT NOT NULL, origin TEXT NOT NULL);
CREATE TABLE place_names (alias TEXT NOT NULL, region_id INTEGER NOT NULL REFERENCES regions (id));
CREATE INDEX place_names_alias ON place_names (alias);
CREATE TABLE outside_places (alias TEXT NOT NULL, name TEXT NOT NULL, bundesland TEXT NOT NULL);
CREATE TABLE organisations (
    id INTEGER PRIMARY KEY, key TEXT UNIQUE NOT NULL, name TEXT NOT NULL, short_name TEXT, kind TEXT NOT NULL,
    description TEXT NOT NULL, land TEXT, source TEXT NOT NULL CHECK (source <> ''),
    verified TEXT NOT NULL CHECK (verified <> ''), origin TEXT NOT NULL);
CREATE TABLE contact_points (
    org_id INTEGER NOT NULL REFERENCES organisations (id), website TEXT NOT NULL,
    address TEXT, phone TEXT, email TEXT, hours TEXT);
CREATE TABLE org_topics (org_id INTEGER NOT NULL REFERENCES organisations (id), topic TEXT NOT NULL);
CREATE TABLE org_regions (org_id INTEGER NOT NULL REFERENCES organisations (id),
                          region_id INTEGER NOT NULL REFERENCES regions (id));
CREATE TABLE institutions (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, short_name TEXT, town_id INTEGER NOT NULL REFERENCES regions (id),
    land TEXT NOT NULL, service_org_id INTEGER NOT NULL REFERENCES organisations (id), origin TEXT NOT NULL);
CREATE TABLE institution_names (alias TEXT NOT NULL, institution_id INTEGER NOT NULL REFERENCES institutions (id));
CREATE TABLE institution_networks (institution_id INTEGER NOT NULL, org_id INTEGER NOT NULL);
CREATE TABLE programmes (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, provider TEXT NOT NULL, area TEXT NOT NULL, land TEXT,
    phases TEXT NOT NULL, kind TEXT NOT NULL, targets TEXT NOT NULL, summary TEXT NOT NULL, amount TEXT,
    link TEXT NOT NULL, source TEXT NOT NULL, verified TEXT NOT NULL, origin TEXT NOT NULL,
    also_kinds TEXT NOT NULL DEFAULT '[]');
CREATE TABLE topics (key TEXT PRIMARY KEY, label TEXT NOT NULL, keywords TEXT NOT NULL);
CREATE TABLE local_services (
    region_id INTEGER NOT NULL REFERENCES regions (id), service TEXT NOT NULL,
    url TEXT NOT NULL CHECK (url LIKE 'https://%'), online INTEGER NOT NULL CHECK (online IN (0, 1)),
    homepage_only INTEGER NOT NULL CHECK (homepage_only IN (0, 1)), office TEXT,
    source TEXT NOT NULL CHECK (source LIKE 'https://%'), verified TEXT NOT NULL, origin TEXT NOT NULL,
    UNIQUE (region_id, service));
CREATE TABLE common_words (word TEXT PRIMARY KEY) WITHOUT ROWID;
"""
FUZZY_MIN_CHARS = 6  # same as bot.directory.places: shorter words are only matched exactly


def common_german_words(exclude: Set[str]) -> Iterable[str]:
    """Ordinary German word forms (spaCy's lemma lookup table), folded, ≥ 6 letters, not place names.

    Place matching tolerates typos, so "Menschen" would look like "München" and "meisten" like
    "Meißen"; a word the dictionary knows is never taken for a misspelt place.
    """
    import gzip

    import spacy_lookups_data

    path = Path(spacy_lookups_data.__file__).parent / "data" / "de_lemma_lookup.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        table: Dict[str, str] = json.load(handle)
    words = {fold(w) for pair in table.items() for w in pair}
    return sorted(w for w in words if len(w) >= FUZZY_MIN_CHARS and " " not in w and w not in exclude)


def default_db_path() -> Path:
    from bot.config import load_settings

    return load_settings().directory_db


def fingerprint(directory: Path = DIRECTORY_DIR) -> str:
    digest = hashlib.sha256()
    for path in sorted(directory.glob("*.yml")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update(SCHEMA.encode())
    return digest.hexdigest()[:16]


def _write(conn: sqlite3.Connection, d: Directory, stamp: str) -> None:
    conn.executescript(SCHEMA)
    region_ids: Dict[str, int] = {}
    by_kind: Dict[Tuple[str, str], int] = {}
    for place in sorted(d.places, key=lambda p: ("land", "kreis", "gemeinde").index(p.kind)):
        kreis_id = region_ids.get(place.kreis) if place.kreis and place.kind == "gemeinde" else None
        cur = conn.execute(
            "INSERT INTO regions (name, kind, art, land, kreis_id, source, verified, origin)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (place.name, place.kind, place.art, place.land, kreis_id, place.source, place.verified,
             _origin(place.where)))
        region_id = int(cur.lastrowid)
        by_kind[(place.name, place.kind)] = region_id
        if place.kind == "kreis":
            region_ids[place.name] = region_id
        region_ids.setdefault(place.name, region_id)
        for alias in {fold(a) for a in (place.name, *place.aliases)}:
            conn.execute("INSERT INTO place_names VALUES (?, ?)", (alias, region_id))
    for out in d.outside:
        for alias in {fold(a) for a in (out.name, *out.aliases)}:
            conn.execute("INSERT INTO outside_places VALUES (?, ?, ?)", (alias, out.name, out.bundesland))
    org_ids: Dict[str, int] = {}
    for org in d.organisations:
        cur = conn.execute(
            "INSERT INTO organisations (key, name, short_name, kind, description, land, source, verified, origin)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (org.key, org.name, org.short, org.kind, org.description, org.land, org.source, org.verified,
             _origin(org.where)))
        org_id = int(cur.lastrowid)
        org_ids[org.key] = org_id
        c = org.contact
        conn.execute("INSERT INTO contact_points VALUES (?, ?, ?, ?, ?, ?)",
                     (org_id, c.get("website", org.source), c.get("address"), c.get("phone"), c.get("email"),
                      c.get("hours")))
        conn.executemany("INSERT INTO org_topics VALUES (?, ?)", [(org_id, t) for t in org.topics])
        conn.executemany("INSERT INTO org_regions VALUES (?, ?)",
                         [(org_id, region_ids[r]) for r in org.regions])
    names_to_org = {o.name: org_ids[o.key] for o in d.organisations if o.kind == "netzwerk"}
    for inst in d.institutions:
        cur = conn.execute(
            "INSERT INTO institutions (name, short_name, town_id, land, service_org_id, origin)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (inst.name, inst.short, region_ids[inst.town], inst.land, org_ids[inst.service_key],
             _origin(inst.where)))
        inst_id = int(cur.lastrowid)
        for alias in {fold(a) for a in (inst.name, *inst.aliases)}:
            conn.execute("INSERT INTO institution_names VALUES (?, ?)", (alias, inst_id))
        conn.executemany("INSERT INTO institution_networks VALUES (?, ?)",
                         [(inst_id, names_to_org[n]) for n in inst.networks])
    for p in d.programmes:
        conn.execute(
            "INSERT INTO programmes (name, provider, area, land, phases, kind, targets, summary, amount, link,"
            " source, verified, origin, also_kinds) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (p.name, p.provider, p.area, p.land, json.dumps(p.phases), p.kind, json.dumps(p.targets),
             p.summary, p.amount, p.link, p.source, p.verified, _origin(p.where), json.dumps(p.also_kinds)))
    for t in d.topics:
        conn.execute("INSERT INTO topics VALUES (?, ?, ?)", (t.key, t.label, json.dumps(t.keywords)))
    for link in d.services:
        conn.execute(
            "INSERT INTO local_services (region_id, service, url, online, homepage_only, office, source, verified,"
            " origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (by_kind[(link.place, link.kind)], link.service, link.url, int(link.online), int(link.homepage_only),
             link.office, link.source, link.verified, _origin(link.where)))
    places = {fold(a) for p in d.places for a in (p.name, *p.aliases)}
    places |= {token for name in places for token in name.split()}
    conn.executemany("INSERT INTO common_words VALUES (?)", ((w,) for w in common_german_words(places)))
    built = datetime.now(timezone.utc).isoformat(timespec="seconds")
    conn.executemany("INSERT INTO meta VALUES (?, ?)", [("fingerprint", stamp), ("built", built)])


def _origin(where: str) -> str:
    """``/abs/path/data/directory/x.yml:12`` → ``data/directory/x.yml:12`` for staff-facing messages."""
    try:
        path, line = where.rsplit(":", 1)
        return f"{Path(path).resolve().relative_to(PROJECT_ROOT)}:{line}"
    except ValueError:
        return where


def build(db_path: Path, directory: Path = DIRECTORY_DIR) -> Directory:
    """Validate all files, then replace ``db_path`` atomically. Raises DirectoryError."""
    d = load_directory(directory)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".directory-", suffix=".db", dir=db_path.parent)
    os.close(fd)
    try:
        with sqlite3.connect(tmp) as conn:
            _write(conn, d, fingerprint(directory))
        os.replace(tmp, db_path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return d


def current_fingerprint(db_path: Path) -> Optional[str]:
    if not db_path.exists():
        return None
    try:
        with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
            return row[0] if row else None
    except sqlite3.Error:
        return None


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Kontaktverzeichnis (SQLite) aus data/directory/ bauen")
    parser.add_argument("--db", type=Path, default=None, help="Zieldatei (Standard: GL_DIRECTORY_DB)")
    parser.add_argument("--data", type=Path, default=DIRECTORY_DIR, help="Quellordner (Standard: data/directory)")
    parser.add_argument("--if-changed", action="store_true", help="nur bauen, wenn sich Dateien geändert haben")
    args = parser.parse_args(argv)
    db_path = args.db or default_db_path()
    if args.if_changed and current_fingerprint(db_path) == fingerprint(args.data):
        return 0
    try:
        d = build(db_path, args.data)
    except DirectoryError as error:
        print(f"Fehler im Kontaktverzeichnis – nichts geändert:\n  {error}", file=sys.stderr)
        return 1
    counts = {kind: sum(1 for p in d.places if p.kind == kind) for kind in ("land", "kreis", "gemeinde")}
    print(f"Kontaktverzeichnis gebaut: {db_path} – {counts['land']} Länder, {counts['kreis']} Kreise, "
          f"{counts['gemeinde']} Orte, {len(d.organisations)} Stellen, {len(d.institutions)} Hochschulen, "
          f"{len(d.programmes)} Programme, {len(d.services)} Links zu Ämtern (z. B. Gewerbe).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
