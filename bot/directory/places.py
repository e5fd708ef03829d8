"""Find the place a founder means: exact names and variants first, then rapidfuzz for typos.

Result kinds: ``found`` (one region), ``ambiguous`` (several close candidates → ask),
``outside`` (a known place outside the three Länder), ``unknown``.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, List, Optional, Tuple

from rapidfuzz import fuzz, process

from bot.directory.store import connect
from bot.directory.text import fold, ngrams

FUZZY_CUTOFF = 85.0  # one typo in a 7-letter name ("lepizig") is 85.7; ordinary words are excluded
FUZZY_MIN_CHARS = 6  # short words ("zeit" ~ "zeitz") match too easily
AMBIGUOUS_MARGIN = 3.0
SWAP_MIN_CHARS = 4  # "jnea" → Jena: two swapped letters, also in names too short for the ratio
SWAP_SCORE = 90.0  # ranks with a one-typo ratio match


def swapped(word: str) -> List[str]:
    """``word`` with two neighbouring letters exchanged, every position ("jnea" → "njea", "jena", "jnae")."""
    return [word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1) if word[i] != word[i + 1]]


@dataclass(frozen=True)
class Region:
    id: int
    name: str
    kind: str  # land | kreis | gemeinde
    art: str
    land: str
    kreis: Optional[str]  # the Kreis's name (for a Kreis: itself; for a Land: None)

    @property
    def label(self) -> str:
        """How the bot names it: "Borna (Landkreis Leipzig)", "Landkreis Leipzig", "Sachsen"."""
        if self.kind == "gemeinde":
            return f"{self.name} ({self.kreis})"
        return self.name


@dataclass(frozen=True)
class Institution:
    id: int
    name: str
    short_name: Optional[str]
    town: Region


@dataclass
class PlaceMatch:
    status: str  # found | ambiguous | outside | unknown
    region: Optional[Region] = None
    candidates: List[Region] = field(default_factory=list)
    outside_name: Optional[str] = None
    outside_bundesland: Optional[str] = None
    institution: Optional[Institution] = None


@dataclass(frozen=True)
class _Index:
    regions: Dict[int, Region]
    aliases: Dict[str, Tuple[int, ...]]
    outside: Dict[str, Tuple[str, str]]
    institutions: Dict[str, Institution]
    common_words: FrozenSet[str]


def _load_index(conn: sqlite3.Connection) -> _Index:
    rows = conn.execute(
        "SELECT r.id, r.name, r.kind, r.art, r.land, k.name AS kreis FROM regions r"
        " LEFT JOIN regions k ON k.id = r.kreis_id").fetchall()
    regions = {}
    for row in rows:
        kreis = row["kreis"] if row["kind"] == "gemeinde" else (row["name"] if row["kind"] == "kreis" else None)
        regions[row["id"]] = Region(row["id"], row["name"], row["kind"], row["art"], row["land"], kreis)
    aliases: Dict[str, List[int]] = {}
    for alias, region_id in conn.execute("SELECT alias, region_id FROM place_names"):
        aliases.setdefault(alias, []).append(region_id)
    outside = {alias: (name, land) for alias, name, land in conn.execute("SELECT * FROM outside_places")}
    institutions = {}
    for row in conn.execute(
            "SELECT n.alias, i.id, i.name, i.short_name, i.town_id FROM institution_names n"
            " JOIN institutions i ON i.id = n.institution_id"):
        institutions[row["alias"]] = Institution(row["id"], row["name"], row["short_name"], regions[row["town_id"]])
    common = frozenset(w for (w,) in conn.execute("SELECT word FROM common_words"))
    return _Index(regions, {a: tuple(ids) for a, ids in aliases.items()}, outside, institutions, common)


@lru_cache(maxsize=4)
def _index_cached(db_path: str, mtime: float) -> _Index:
    with connect(Path(db_path)) as conn:
        return _load_index(conn)


def index(db_path: Path) -> _Index:
    """Cached per database file version, so a rebuilt directory is picked up without a restart."""
    try:
        version = db_path.stat().st_mtime
    except FileNotFoundError:
        with connect(db_path):  # raises the clear "fehlt – bot verzeichnis" error
            pass
        raise
    return _index_cached(str(db_path), version)


def _prefer(regions: List[Region]) -> List[Region]:
    """"Leipzig" is the city and the Landkreis's name part: a kreisfreie Stadt wins over a town of the same name."""
    order = {"kreis": 0, "gemeinde": 1, "land": 2}
    return sorted(regions, key=lambda r: order[r.kind])


def resolve(text: str, db_path: Path) -> PlaceMatch:
    """Find the place in ``text`` (a whole message or just a name)."""
    idx = index(db_path)
    grams = list(ngrams(text))
    for _, _, gram in grams:  # longest first: "landkreis leipzig" before "leipzig"
        if gram in idx.institutions:
            inst = idx.institutions[gram]
            return PlaceMatch("found", region=inst.town, institution=inst)
        if gram in idx.aliases:
            regions = _prefer([idx.regions[i] for i in idx.aliases[gram]])
            distinct = {(r.name, r.kreis) for r in regions}
            if len(distinct) > 1 and len({r.kind for r in regions}) == 1:
                return PlaceMatch("ambiguous", candidates=regions)
            return PlaceMatch("found", region=regions[0])
        if gram in idx.outside:
            name, land = idx.outside[gram]
            return PlaceMatch("outside", outside_name=name, outside_bundesland=land)
    return _fuzzy(grams, idx)


def _fuzzy(grams: List[Tuple[int, int, str]], idx: _Index) -> PlaceMatch:
    choices = [a for a in idx.aliases if len(a) >= FUZZY_MIN_CHARS]
    outside = [a for a in idx.outside if len(a) >= FUZZY_MIN_CHARS]
    best: Dict[Tuple[str, str], Tuple[float, Optional[Region], Optional[Tuple[str, str]]]] = {}
    for _, _, gram in grams:
        if len(gram) < SWAP_MIN_CHARS or gram in idx.common_words:
            continue  # "menschen" is a word, not a misspelt "München"
        for alias in (w for w in swapped(gram) if w in idx.aliases and " " not in gram):
            for region in _prefer([idx.regions[i] for i in idx.aliases[alias]])[:1]:
                best.setdefault(("in", region.name), (SWAP_SCORE, region, None))
        if len(gram) < FUZZY_MIN_CHARS:
            continue
        for alias, score, _ in process.extract(gram, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF,
                                               limit=5):
            for region in _prefer([idx.regions[i] for i in idx.aliases[alias]])[:1]:
                key = ("in", region.name)
                if score > best.get(key, (0.0, None, None))[0]:
                    best[key] = (score, region, None)
        for alias, score, _ in process.extract(gram, outside, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF,
                                               limit=1):
            key = ("out", idx.outside[alias][0])
            if score > best.get(key, (0.0, None, None))[0]:
                best[key] = (score, None, idx.outside[alias])
    if not best:
        return PlaceMatch("unknown")
    ranked = sorted(best.values(), key=lambda item: -item[0])
    top_score = ranked[0][0]
    close = [item for item in ranked if top_score - item[0] <= AMBIGUOUS_MARGIN]
    inside = [region for _, region, _ in close if region is not None]
    if len(close) > 1 and len(inside) > 1:
        return PlaceMatch("ambiguous", candidates=inside[:3])
    score, region, out = ranked[0]
    if region is not None:
        return PlaceMatch("found", region=region)
    assert out is not None
    return PlaceMatch("outside", outside_name=out[0], outside_bundesland=out[1])


def region_by_name(name: str, db_path: Path) -> Optional[Region]:
    """Exact lookup of a canonical name (slot values are canonical names)."""
    idx = index(db_path)
    ids = idx.aliases.get(fold(name), ())
    regions = _prefer([idx.regions[i] for i in ids if idx.regions[i].name == name] or
                      [idx.regions[i] for i in ids])
    return regions[0] if regions else None


def land_region(land: str, db_path: Path) -> Optional[Region]:
    idx = index(db_path)
    return next((r for r in idx.regions.values() if r.kind == "land" and r.name == land), None)
