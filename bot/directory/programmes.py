"""Funding finder: programmes matching Land, phase and kind, best first."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Tuple

from bot.directory.store import connect

ANY = "egal"


@dataclass(frozen=True)
class ProgrammeResult:
    name: str
    provider: str
    area: str
    kind: str
    summary: str
    amount: Optional[str]
    link: str
    source: str
    verified: str
    phases: Tuple[str, ...]
    targets: Tuple[str, ...]


def find_programmes(
    db_path: Path,
    land: Optional[str] = None,
    phase: Optional[str] = None,
    kind: Optional[str] = None,
    target: Optional[str] = None,
    limit: int = 5,
) -> List[ProgrammeResult]:
    """Filters that are ``None``/``"egal"`` don't restrict. Programmes for the ``target`` group (e.g.
    ``hochschule``, ``arbeitslos``) first, then regional before federal.

    A Land filter keeps that Land's programmes (incl. its cities') and the federal ones.
    """
    with connect(db_path) as conn:
        rows = conn.execute("SELECT * FROM programmes ORDER BY id").fetchall()
    results = []
    for row in rows:
        phases = tuple(json.loads(row["phases"]))
        targets = tuple(json.loads(row["targets"]))
        if land not in (None, ANY) and row["area"] != "Bund" and row["land"] != land:
            continue
        if phase not in (None, ANY) and phase not in phases:
            continue
        if kind not in (None, ANY) and kind != row["kind"] and kind not in json.loads(row["also_kinds"]):
            continue
        results.append(ProgrammeResult(row["name"], row["provider"], row["area"], row["kind"], row["summary"],
                                       row["amount"], row["link"], row["source"], row["verified"], phases,
                                       targets))

    def rank(p: ProgrammeResult) -> Tuple[int, int]:
        regional = 0 if p.area != "Bund" else 1
        if target:  # the group's own programmes, then those for everyone
            fits = 0 if target in p.targets else (1 if "alle" in p.targets else 2)
        else:
            fits = 0 if "alle" in p.targets else 1
        return (fits, regional)

    return sorted(results, key=rank)[:limit]
