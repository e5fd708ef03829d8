"""Which names and web addresses belong to exactly one Land – derived from the contact directory.

Used to check that an answer for one Land never names or cites another Land's towns, portals or
organisations (tests/test_faq_land_sources.py, the held-out evaluation bot/heldout.py). A marker
that also belongs to another Land or to a federal entry (e.g. ihk.de) is not a marker.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Set, Tuple
from urllib.parse import urlsplit

from bot.directory.sources import LAENDER, Directory

URL = re.compile(r"https?://[^\s,]+")
FEDERAL = "Bund"
# Domains that host several Länder's programmes (the shared portal of the Bürgschaftsbanken /
# Mikromezzaninfonds): never a marker of one Land, even where the directory cites it for one.
SHARED_DOMAINS = {"ermoeglicher.de"}


def url_keys(url: str) -> Tuple[str, ...]:
    """``https://www.ihk.de/erfurt/x`` → ("ihk.de/erfurt", "ihk.de"); the registrable domain last."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    labels = host.split(".")
    registrable = ".".join(labels[-2:])
    segments = [s for s in parts.path.split("/") if s]
    keys = [f"{host}/{segments[0].lower()}"] if segments else []
    keys += [host] + ([registrable] if registrable != host else [])
    return tuple(keys)


def _is_home(url: str) -> bool:
    return len([s for s in urlsplit(url).path.split("/") if s]) <= 1


@dataclass
class Markers:
    names: Set[str] = field(default_factory=set)
    addresses: Set[str] = field(default_factory=set)


def land_markers(d: Directory) -> Dict[str, Markers]:
    """Names and address keys that belong to exactly one Land."""
    names: Dict[str, Set[str]] = defaultdict(set)
    addresses: Dict[str, Set[str]] = defaultdict(set)

    def claim_url(url: Optional[str], owner: str) -> None:
        if not url:
            return
        keys = url_keys(url)
        # A deep link claims only its own site section; a home page (or section) claims its domain too.
        for key in keys if _is_home(url) or owner == FEDERAL else keys[:1]:
            addresses[key].add(owner)

    for place in d.places:
        for name in (place.name, *place.aliases):
            names[name].add(place.land)
        claim_url(place.source, place.land)
    for org in d.organisations:
        owner = org.land or FEDERAL
        main = re.split(r" – | \(", org.name)[0].strip()
        for name in (main, org.short or ""):
            if len(name) >= 3:
                names[name].add(owner)
        claim_url(org.contact.get("website"), owner)
        claim_url(org.source, owner)
    for programme in d.programmes:
        owner = programme.land if programme.area != "Bund" and programme.land else FEDERAL
        claim_url(programme.link, owner)
        claim_url(programme.source, owner)
    for link in d.services:
        claim_url(link.url, link.land)
        claim_url(link.source, link.land)
    result = {land: Markers() for land in LAENDER}
    for name, owners in names.items():
        if len(owners) == 1 and next(iter(owners)) in result:
            result[next(iter(owners))].names.add(name)
    for key, owners in addresses.items():
        if any(key == d or key.endswith("." + d) or key.startswith(d + "/") or ("." + d + "/") in key
               for d in SHARED_DOMAINS):
            continue
        if len(owners) == 1 and next(iter(owners)) in result:
            result[next(iter(owners))].addresses.add(key)
    return result


def foreign_markers(land: str, text: str, sources: Iterable[str], markers: Dict[str, Markers]) -> List[str]:
    """What in ``text``/``sources`` belongs to a Land other than ``land``."""
    found: List[str] = []
    urls = set(URL.findall(text)) | set(sources)
    prose = URL.sub(" ", text)
    for other, own in markers.items():
        if other == land:
            continue
        for url in sorted(urls):
            hit = next((k for k in url_keys(url) if k in own.addresses), None)
            if hit:
                found.append(f"{other}: Adresse {url} ({hit})")
        for name in sorted(own.names):
            if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", prose):
                found.append(f"{other}: „{name}“")
    return found
