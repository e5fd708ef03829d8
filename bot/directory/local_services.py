"""Where a founder does a procedure in a given place: the town's own page or online service.

``local_service(db, "Gewerbe anmelden in Dresden")`` finds the place with the project's place
resolution (variants, missing umlauts, one typo – :func:`bot.directory.places.resolve`) and returns
that town's (or kreisfreie Stadt's) link for the service, or None. ``land_portal`` is the Land-level
fallback: the portal that finds the responsible office. Data: ``gewerbe:`` blocks in
``data/directory/kreise-*.yml`` and ``laender.yml`` (see docs/redaktion.md).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Optional, Tuple

from bot.directory.places import resolve
from bot.directory.store import connect


@dataclass(frozen=True)
class LocalService:
    place: str  # canonical name, e.g. "Halle (Saale)"; for a Land portal the Land
    land: str
    service: str  # "gewerbe"
    url: str
    online: bool  # the page offers an online registration
    source: str
    verified: str  # "2026-12"
    homepage_only: bool = False  # only the town's start page is confirmed, not a service page
    office: Optional[str] = None  # the office as the source names it, e.g. "Ordnungsamt"


_Key = Tuple[int, str]  # (region id, service)


def _load(conn: sqlite3.Connection) -> Dict[_Key, LocalService]:
    rows = conn.execute(
        "SELECT s.region_id, s.service, s.url, s.online, s.homepage_only, s.office, s.source, s.verified,"
        " r.name, r.land FROM local_services s JOIN regions r ON r.id = s.region_id").fetchall()
    return {(row["region_id"], row["service"]): LocalService(
        place=row["name"], land=row["land"], service=row["service"], url=row["url"], online=bool(row["online"]),
        source=row["source"], verified=row["verified"], homepage_only=bool(row["homepage_only"]),
        office=row["office"]) for row in rows}


@lru_cache(maxsize=4)
def _cached(db_path: str, mtime: float) -> Tuple[Dict[_Key, LocalService], Dict[str, int]]:
    with connect(Path(db_path)) as conn:
        services = _load(conn)
        laender = {name: id_ for id_, name in conn.execute("SELECT id, name FROM regions WHERE kind = 'land'")}
    return services, laender


def _index(db: Path) -> Tuple[Dict[_Key, LocalService], Dict[str, int]]:
    """Cached per database file version, like the place index (a rebuilt directory is picked up)."""
    try:
        version = db.stat().st_mtime
    except FileNotFoundError:
        version = -1.0  # connect() raises the clear "fehlt – bot verzeichnis" error
    return _cached(str(db), version)


def local_service(db: Path, place_text: str, service: str = "gewerbe") -> Optional[LocalService]:
    """The service link of the town or kreisfreie Stadt in ``place_text`` (a name or a whole message).

    None if no place is recognised, the name is ambiguous or outside the three Länder, the place is
    a Land, or the town/Kreis has no entry for ``service`` (then use :func:`land_portal`).
    """
    match = resolve(place_text, db)
    if match.status != "found" or match.region is None or match.region.kind == "land":
        return None
    services, _ = _index(db)
    return services.get((match.region.id, service))


def land_portal(db: Path, land: str, service: str = "gewerbe") -> Optional[LocalService]:
    """The Land-level fallback for ``service`` (e.g. Amt24 for Sachsen), or None for other Länder."""
    services, laender = _index(db)
    region_id = laender.get(land)
    return services.get((region_id, service)) if region_id is not None else None
