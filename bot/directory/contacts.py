"""Who is responsible: the 1–3 best contacts for a topic and a place, each with the reason.

Plain SQL over the directory database; no Rasa here. The order of contact kinds per topic
is the routing policy – the one place to change it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from bot.directory.places import Institution, Region
from bot.directory.store import connect

MAX_CONTACTS = 3

# topic → kinds of contact, best first. "wf" = Wirtschaftsförderung of the Kreis; "IHK"/"HWK" by
# Kammerbezirk; other kinds are Land-level (landesstellen.yml) or networks/university services.
ROUTING: Dict[str, Tuple[str, ...]] = {
    "gruendungsberatung": ("hochschule", "wf", "IHK", "netzwerk", "Gründungsnetzwerk", "HWK"),
    "foerderung": ("Förderbank", "wf", "Beteiligungskapital", "IHK"),
    "gewerbe": ("wf", "Einheitlicher Ansprechpartner", "Landesportal", "IHK"),
    "hochschule": ("hochschule", "netzwerk", "wf"),
    "kammer": ("IHK", "HWK"),
    "vergabe": ("Vergabe", "wf", "IHK"),
    "flaechen": ("wf", "netzwerk"),
}
TOPIC_LABELS = {
    "gruendungsberatung": "Gründungsberatung",
    "foerderung": "Förderung und Finanzierung",
    "gewerbe": "Gewerbeanmeldung und Genehmigungen",
    "hochschule": "Gründen aus der Hochschule",
    "kammer": "Kammer (IHK/HWK)",
    "vergabe": "Verwaltung als Kunde und Vergabe",
    "flaechen": "Räume und Gewerbeflächen",
}
DEFAULT_TOPIC = "gruendungsberatung"


@dataclass(frozen=True)
class ContactResult:
    name: str
    kind: str
    why: str
    website: str
    phone: Optional[str]
    email: Optional[str]
    address: Optional[str]
    hours: Optional[str]
    source: str
    verified: str


_SELECT = (
    "SELECT o.id, o.name, o.short_name, o.kind, o.description, o.land, o.source, o.verified,"
    " c.website, c.phone, c.email, c.address, c.hours FROM organisations o"
    " JOIN contact_points c ON c.org_id = o.id"
)


def _result(row: sqlite3.Row, why: str) -> ContactResult:
    return ContactResult(row["name"], row["kind"], why, row["website"], row["phone"], row["email"],
                         row["address"], row["hours"], row["source"], row["verified"])


def _for_region(conn: sqlite3.Connection, kind: str, region_name: str, topic: str) -> List[sqlite3.Row]:
    return conn.execute(
        _SELECT + " JOIN org_regions r ON r.org_id = o.id JOIN regions g ON g.id = r.region_id"
        " JOIN org_topics t ON t.org_id = o.id WHERE o.kind = ? AND g.name = ? AND t.topic = ?"
        " ORDER BY o.id", (kind, region_name, topic)).fetchall()


def _land_level(conn: sqlite3.Connection, kind: str, land: str, topic: str) -> List[sqlite3.Row]:
    return conn.execute(
        _SELECT + " JOIN org_topics t ON t.org_id = o.id WHERE o.kind = ? AND o.land = ? AND t.topic = ?"
        " ORDER BY o.id", (kind, land, topic)).fetchall()


def _why(kind: str, row: sqlite3.Row, region: Region, topic: str) -> str:
    where = region.label
    if kind == "wf":
        return f"Wirtschaftsförderung, zuständig für: {region.kreis}" + (
            f" (dort liegt {region.name})" if region.kind == "gemeinde" else "")
    if kind in ("IHK", "HWK"):
        bezirk = f"Kammerbezirk: {region.kreis or where}"
        return bezirk if kind == "IHK" else f"{bezirk} – für Handwerksbetriebe"
    if kind == "hochschule":
        return "Gründungsservice Ihrer Hochschule"
    if kind == "netzwerk":
        return _short(row["description"]) or f"Gründungsnetzwerk in {row['land']}"
    return _short(row["description"]) or f"{kind} ({row['land']})"


def _short(text: Optional[str], limit: int = 110) -> str:
    """First clause of a description, cut at a word – one line on a phone screen."""
    text = (text or "").split(" – ")[0].strip().rstrip(".")
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def find_contacts(
    db_path: Path,
    topic: Optional[str],
    region: Optional[Region],
    institution: Optional[Institution] = None,
    limit: int = MAX_CONTACTS,
) -> List[ContactResult]:
    """Best contacts for ``topic`` at ``region`` (a Land, Kreis or town) and/or ``institution``."""
    topic = topic if topic in ROUTING else DEFAULT_TOPIC
    if region is None and institution is not None:
        region = institution.town
    if region is None:
        return []
    results: List[ContactResult] = []
    seen: set = set()
    with connect(db_path) as conn:
        for kind in ROUTING[topic]:
            for row in _candidates(conn, kind, topic, region, institution):
                if row["id"] in seen:
                    continue
                seen.add(row["id"])
                results.append(_result(row, _why(kind, row, region, topic)))
                break  # one contact per kind keeps the answer short
            if len(results) >= limit:
                break
    return results


def _candidates(conn: sqlite3.Connection, kind: str, topic: str, region: Region,
                institution: Optional[Institution]) -> Sequence[sqlite3.Row]:
    if kind == "hochschule":
        if institution is not None:
            return conn.execute(
                _SELECT + " JOIN institutions i ON i.service_org_id = o.id WHERE i.id = ?",
                (institution.id,)).fetchall()
        if topic != "hochschule":
            return []
        return conn.execute(  # university services in the same town or Kreis (no guessing beyond)
            _SELECT + " JOIN institutions i ON i.service_org_id = o.id JOIN regions t ON t.id = i.town_id"
            " LEFT JOIN regions k ON k.id = t.kreis_id WHERE t.name = ? OR k.name = ? OR t.name = ?"
            " ORDER BY i.id", (region.name, region.kreis or "", region.kreis or "")).fetchall()
    if kind == "netzwerk":
        if institution is not None:
            rows = conn.execute(
                _SELECT + " JOIN institution_networks n ON n.org_id = o.id WHERE n.institution_id = ?",
                (institution.id,)).fetchall()
            if rows:
                return rows
        return conn.execute(
            _SELECT + " JOIN org_topics tp ON tp.org_id = o.id JOIN org_regions r ON r.org_id = o.id"
            " JOIN regions g ON g.id = r.region_id WHERE o.kind = 'netzwerk' AND tp.topic = ? AND o.land = ?"
            " ORDER BY (g.name IN (?, ?)) DESC, (g.kind = 'land') DESC, o.id",
            (topic, region.land, region.name, region.kreis or "")).fetchall()
    if kind in ("wf", "IHK", "HWK"):
        if region.kreis is None:
            return []  # Land only: no single Kreis is responsible
        db_kind = "wirtschaftsfoerderung" if kind == "wf" else kind
        topic_filter = topic if kind == "wf" else ("kammer" if topic not in ("gruendungsberatung", "gewerbe") else topic)
        return _for_region(conn, db_kind, region.kreis, topic_filter if kind != "HWK" else "kammer")
    return _land_level(conn, kind, region.land, topic)


def nationwide(db_path: Path) -> List[ContactResult]:
    """The general, nationwide contacts (allgemein.yml) – for places outside the region."""
    with connect(db_path) as conn:
        rows = conn.execute(_SELECT + " WHERE o.kind = 'allgemein' AND o.land IS NULL ORDER BY o.id").fetchall()
    return [_result(row, row["description"]) for row in rows]


def land_contacts(db_path: Path, land: str, topic: Optional[str]) -> List[ContactResult]:
    """Land-level contacts (funding bank, portal, EA …) when no Kreis is known."""
    region = Region(0, land, "land", "Land", land, None)
    return find_contacts(db_path, topic, region)
