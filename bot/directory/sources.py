"""Read every staff-edited file under ``data/directory/`` into plain records.

All checks that need a person to fix a file live here and raise :class:`DirectoryError`
with ``file:line`` – the SQLite build (``bot.directory.build``) only runs on data that passed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple


from bot.config import PROJECT_ROOT
from bot.directory.text import fold
from bot.directory.yaml_source import (DirectoryError, child, entries, entries_with_nodes, key_node, line_of,
                                        read_yaml, require)

DIRECTORY_DIR = PROJECT_ROOT / "data" / "directory"
LAENDER = ("Sachsen", "Sachsen-Anhalt", "Thüringen")
TOPICS = ("gruendungsberatung", "foerderung", "gewerbe", "hochschule", "kammer", "vergabe", "flaechen")
PHASES = ("idee", "gruendung", "wachstum")
KINDS = ("Zuschuss", "Stipendium", "Kredit", "Beteiligung", "Beratung")
TARGETS = ("alle", "hochschule", "arbeitslos", "buergergeld", "innovativ", "investoren")
_URL = re.compile(r"^https?://\S+$")
_HTTPS = re.compile(r"^https://[^\s/]+\.\S+$")
SERVICES = ("gewerbe",)  # local services a place can link to: `<service>:` block on a town, Kreis or Land
CONTACT_KEYS = ("website", "address", "phone", "email", "hours")


@dataclass(frozen=True)
class Place:
    """A Land, a Kreis (Landkreis or kreisfreie Stadt) or a town in a Landkreis."""

    name: str
    kind: str  # land | kreis | gemeinde
    land: str
    kreis: Optional[str]
    aliases: Tuple[str, ...]
    art: str
    source: str
    verified: str
    where: str


@dataclass(frozen=True)
class ServiceLink:
    """Where a founder does one procedure (``service``, e.g. "gewerbe") for one place.

    On a town or kreisfreie Stadt: the town's own office page or online service. On a Land:
    the Land portal that finds the responsible office (fallback when a town has no entry).
    """

    place: str
    kind: str  # land | kreis | gemeinde – the kind of place the link belongs to
    land: str
    service: str
    url: str
    online: bool  # the page offers an online service (not only information, forms to print)
    homepage_only: bool  # only the town's start page is confirmed, not a page for this service
    office: Optional[str]
    source: str
    verified: str
    where: str


@dataclass(frozen=True)
class Organisation:
    key: str
    name: str
    kind: str  # wirtschaftsfoerderung | IHK | HWK | Förderbank | … | hochschule | netzwerk | allgemein
    description: str
    land: Optional[str]
    topics: Tuple[str, ...]
    regions: Tuple[str, ...]  # place names (Kreis, town or Land) the organisation is responsible for
    contact: Dict[str, str]
    source: str
    verified: str
    where: str
    short: Optional[str] = None


@dataclass(frozen=True)
class Institution:
    name: str
    short: Optional[str]
    aliases: Tuple[str, ...]
    town: str
    land: str
    service_key: str
    networks: Tuple[str, ...]
    where: str


@dataclass(frozen=True)
class Programme:
    name: str
    provider: str
    area: str
    land: Optional[str]
    phases: Tuple[str, ...]
    kind: str
    targets: Tuple[str, ...]
    summary: str
    amount: Optional[str]
    link: str
    source: str
    verified: str
    where: str
    also_kinds: Tuple[str, ...] = ()  # e.g. a Zuschuss for living costs is also what founders call a Stipendium


@dataclass(frozen=True)
class Topic:
    key: str
    label: str
    keywords: Tuple[str, ...]
    where: str


@dataclass(frozen=True)
class OutsidePlace:
    name: str
    bundesland: str
    aliases: Tuple[str, ...]
    where: str


@dataclass
class Directory:
    places: List[Place] = field(default_factory=list)
    organisations: List[Organisation] = field(default_factory=list)
    institutions: List[Institution] = field(default_factory=list)
    programmes: List[Programme] = field(default_factory=list)
    topics: List[Topic] = field(default_factory=list)
    outside: List[OutsidePlace] = field(default_factory=list)
    services: List[ServiceLink] = field(default_factory=list)


def _strs(value: Any) -> Tuple[str, ...]:
    if value in (None, ""):
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return (str(value).strip(),)


def _url(where: str, item: Dict[str, Any], key: str) -> None:
    value = item.get(key)
    if value and not _URL.match(str(value)):
        raise DirectoryError(f"{where}: „{key}“ muss eine Webadresse (https://…) sein, nicht „{value}“.")


def _contact(where: str, item: Dict[str, Any]) -> Dict[str, str]:
    for key in ("website", "source", "link"):
        _url(where, item, key)
    return {k: str(item[k]).strip() for k in CONTACT_KEYS if item.get(k)}


def _one_of(where: str, value: Any, allowed: Tuple[str, ...], key: str) -> str:
    if str(value) not in allowed:
        raise DirectoryError(
            f"{where}: „{key}: {value}“ ist unbekannt – erlaubt: {', '.join(allowed)}."
        )
    return str(value)


def _key(*parts: str) -> str:
    return "-".join(fold(p).replace(" ", "-") for p in parts if p)


def _https(where: str, value: Any, key: str) -> str:
    text = str(value or "").strip()
    if not _HTTPS.match(text):
        raise DirectoryError(f"{where}: „{key}“ muss eine vollständige https-Adresse sein "
                             f"(https://…), nicht „{text}“.")
    return text


def _services(d: Directory, path: Path, item: Dict[str, Any], node: Any, fallback: str,
              place: str, kind: str, land: str) -> None:
    """Read the ``gewerbe:`` (etc.) block of a place; errors name the line of the block."""
    for service in SERVICES:
        if service not in item:
            continue
        block, block_node = item[service], child(node, service)
        where = line_of(path, key_node(node, service), fallback)
        if not isinstance(block, dict):
            raise DirectoryError(f"{where}: „{service}:“ braucht darunter url, online, source und verified.")
        require(where, block, "url", "source", "verified")
        field_where = {k: line_of(path, key_node(block_node, k), where) for k in block}
        url = _https(field_where["url"], block["url"], "url")
        source = _https(field_where["source"], block["source"], "source")
        online = block.get("online")
        if not isinstance(online, bool):
            raise DirectoryError(f"{field_where.get('online', where)}: „online“ muss true oder false sein "
                                 f"(true nur, wenn die Seite eine Online-Anmeldung anbietet).")
        homepage = block.get("nur_startseite", False)
        if not isinstance(homepage, bool):
            raise DirectoryError(f"{field_where['nur_startseite']}: „nur_startseite“ muss true oder false sein.")
        if homepage and online:
            raise DirectoryError(f"{where}: eine Startseite ist keine Online-Anmeldung – „online: false“ setzen.")
        unknown = sorted(set(block) - {"url", "online", "nur_startseite", "stelle", "source", "verified"})
        if unknown:
            raise DirectoryError(f"{field_where[unknown[0]]}: „{unknown[0]}“ ist hier unbekannt – erlaubt: "
                                 f"url, online, nur_startseite, stelle, source, verified.")
        office = str(block["stelle"]).strip() if block.get("stelle") else None
        d.services.append(ServiceLink(place, kind, land, service, url, online, homepage, office, source,
                                      str(block["verified"]), where))


def load_laender(d: Directory, path: Path) -> None:
    for where, entry, node in entries_with_nodes(path, "laender"):
        require(where, entry, "name", "source", "verified")
        name = _one_of(where, entry["name"], LAENDER, "name")
        d.places.append(Place(name, "land", name, None, _strs(entry.get("variants")), "Land",
                              str(entry["source"]), str(entry["verified"]), where))
        _services(d, path, entry, node, where, name, "land", name)


def load_kreise(d: Directory, path: Path) -> None:
    land = _file_value(path, "land")
    if land not in LAENDER:
        raise DirectoryError(f"{path}: oben muss „land:“ mit Sachsen, Sachsen-Anhalt oder Thüringen stehen.")
    for where, entry, node in entries_with_nodes(path, "kreise"):
        require(where, entry, "name", "art", "source", "verified", "wirtschaftsfoerderung")
        art = _one_of(where, entry["art"], ("Landkreis", "kreisfreie Stadt"), "art")
        name = str(entry["name"]).strip()
        d.places.append(Place(name, "kreis", land, name, _strs(entry.get("varianten")), art,
                              str(entry["source"]), str(entry["verified"]), where))
        _services(d, path, entry, node, where, name, "kreis", land)
        for index, town in enumerate(entry.get("orte") or []):
            town_name, aliases = (town, ()) if isinstance(town, str) else (
                str(town.get("name", "")), _strs(town.get("varianten")))
            if not town_name.strip():
                raise DirectoryError(f"{where}: ein Ort unter „orte:“ hat keinen Namen.")
            if art != "Landkreis":
                raise DirectoryError(f"{where}: kreisfreie Städte haben keine „orte:“.")
            require(where, entry, "orte_source")
            d.places.append(Place(town_name.strip(), "gemeinde", land, name, aliases, "Stadt",
                                  str(entry["orte_source"]), str(entry["verified"]), where))
            if isinstance(town, dict):
                town_node = child(node, "orte", index)
                _services(d, path, town, town_node, line_of(path, town_node, where), town_name.strip(),
                          "gemeinde", land)
        wf = entry["wirtschaftsfoerderung"]
        if not isinstance(wf, dict):
            raise DirectoryError(f"{where}: „wirtschaftsfoerderung:“ braucht name, website, source, verified.")
        require(where, wf, "name", "website", "source", "verified")
        d.organisations.append(Organisation(
            key=_key("wf", name), name=str(wf["name"]), kind="wirtschaftsfoerderung",
            description=str(wf.get("beschreibung") or "Wirtschaftsförderung und Gründungsberatung vor Ort"),
            land=land, topics=("gruendungsberatung", "foerderung", "gewerbe", "vergabe", "flaechen"),
            regions=(name,), contact=_contact(where, wf), source=str(wf["source"]),
            verified=str(wf["verified"]), where=where))


def load_kammern(d: Directory, path: Path) -> None:
    for where, entry in entries(path, "kammern"):
        require(where, entry, "name", "art", "land", "kreise", "website", "source", "verified")
        art = _one_of(where, entry["art"], ("IHK", "HWK"), "art")
        land = _one_of(where, entry["land"], LAENDER, "land")
        topics = ("kammer", "gruendungsberatung", "gewerbe") if art == "IHK" else ("kammer", "gruendungsberatung")
        d.organisations.append(Organisation(
            key=_key(art, str(entry.get("kurz") or entry["name"])), name=str(entry["name"]), kind=art,
            description=str(entry.get("beschreibung") or ""), land=land, topics=topics,
            regions=_strs(entry["kreise"]), contact=_contact(where, entry), source=str(entry["source"]),
            verified=str(entry["verified"]), where=where, short=entry.get("kurz")))


def load_stellen(d: Directory, path: Path) -> None:
    for where, entry in entries(path, "stellen"):
        require(where, entry, "name", "art", "land", "themen", "website", "source", "verified")
        land = _one_of(where, entry["land"], LAENDER, "land")
        topics = tuple(_one_of(where, t, TOPICS, "themen") for t in _strs(entry["themen"]))
        d.organisations.append(Organisation(
            key=_key(str(entry["art"]), str(entry["name"])), name=str(entry["name"]), kind=str(entry["art"]),
            description=str(entry.get("beschreibung") or ""), land=land, topics=topics, regions=(land,),
            contact=_contact(where, entry), source=str(entry["source"]), verified=str(entry["verified"]),
            where=where, short=entry.get("kurz")))


def load_hochschulen(d: Directory, path: Path) -> None:
    for where, entry in entries(path, "netzwerke"):
        require(where, entry, "name", "land", "themen", "source", "verified")  # website optional: source
        land = _one_of(where, entry["land"], LAENDER, "land")
        topics = tuple(_one_of(where, t, TOPICS, "themen") for t in _strs(entry["themen"]))
        d.organisations.append(Organisation(
            key=_key("netz", str(entry["name"])), name=str(entry["name"]), kind="netzwerk",
            description=str(entry.get("beschreibung") or ""), land=land, topics=topics,
            regions=_strs(entry.get("orte")) or (land,), contact=_contact(where, entry),
            source=str(entry["source"]), verified=str(entry["verified"]), where=where))
    for where, entry in entries(path, "hochschulen"):
        require(where, entry, "name", "ort", "land", "gruenderservice", "source", "verified")
        land = _one_of(where, entry["land"], LAENDER, "land")
        service = entry["gruenderservice"]
        if not isinstance(service, dict):
            raise DirectoryError(f"{where}: „gruenderservice:“ braucht name, website, source, verified.")
        require(where, service, "name", "website", "source", "verified")
        key = _key("hs", str(entry["name"]))
        d.organisations.append(Organisation(
            key=key, name=str(service["name"]), kind="hochschule",
            description=str(service.get("beschreibung") or f"Gründungsberatung für Studierende, Absolvierende "
                            f"und Beschäftigte der {entry.get('kurz') or entry['name']}"),
            land=land, topics=("hochschule", "gruendungsberatung"), regions=(str(entry["ort"]),),
            contact=_contact(where, service), source=str(service["source"]),
            verified=str(service["verified"]), where=where, short=entry.get("kurz")))
        d.institutions.append(Institution(
            name=str(entry["name"]), short=entry.get("kurz"),
            aliases=_strs(entry.get("varianten")) + _strs(entry.get("kurz")), town=str(entry["ort"]),
            land=land, service_key=key, networks=_strs(entry.get("netzwerke")), where=where))


def load_programme(d: Directory, path: Path) -> None:
    for where, entry in entries(path, "programme"):
        require(where, entry, "name", "anbieter", "gebiet", "phasen", "art", "zielgruppe", "kurz", "link",
                "source", "verified")
        _contact(where, entry)
        area = str(entry["gebiet"])
        land = area if area in LAENDER else (str(entry["land"]) if entry.get("land") else None)
        if area != "Bund" and land not in LAENDER:
            raise DirectoryError(f"{where}: „gebiet: {area}“ braucht zusätzlich „land:“ (Sachsen, …).")
        d.programmes.append(Programme(
            name=str(entry["name"]), provider=str(entry["anbieter"]), area=area, land=land,
            phases=tuple(_one_of(where, p, PHASES, "phasen") for p in _strs(entry["phasen"])),
            kind=_one_of(where, entry["art"], KINDS, "art"),
            targets=tuple(_one_of(where, t, TARGETS, "zielgruppe") for t in _strs(entry["zielgruppe"])),
            summary=str(entry["kurz"]), amount=str(entry["betrag"]) if entry.get("betrag") else None,
            link=str(entry["link"]), source=str(entry["source"]), verified=str(entry["verified"]), where=where,
            also_kinds=tuple(_one_of(where, k, KINDS, "auch_art") for k in _strs(entry.get("auch_art")))))


def load_themen(d: Directory, path: Path) -> None:
    for where, entry in entries(path, "themen"):
        require(where, entry, "key", "label", "stichworte")
        d.topics.append(Topic(_one_of(where, entry["key"], TOPICS, "key"), str(entry["label"]),
                              _strs(entry["stichworte"]), where))


def load_ausserhalb(d: Directory, path: Path) -> None:
    for where, entry in entries(path, "orte"):
        require(where, entry, "name", "bundesland")
        d.outside.append(OutsidePlace(str(entry["name"]), str(entry["bundesland"]),
                                      _strs(entry.get("varianten")), where))


def load_general(d: Directory, path: Path) -> None:
    for where, entry in entries(path, "contacts"):
        require(where, entry, "name", "description", "website", "source", "verified")
        d.organisations.append(Organisation(
            key=_key("allg", str(entry["name"])), name=str(entry["name"]), kind="allgemein",
            description=str(entry["description"]), land=None, topics=TOPICS, regions=(),
            contact=_contact(where, entry), source=str(entry["source"]), verified=str(entry["verified"]),
            where=where))


def _file_value(path: Path, key: str) -> Any:
    _, data = read_yaml(path)  # a broken file is reported here, with its line
    return data.get(key) if isinstance(data, dict) else None


def load_directory(directory: Path = DIRECTORY_DIR) -> Directory:
    """Every file, then the cross-checks (names that must exist elsewhere, duplicates)."""
    d = Directory()
    load_laender(d, directory / "laender.yml")
    kreis_files = sorted(directory.glob("kreise-*.yml"))
    if not kreis_files:
        raise DirectoryError(f"{directory}: keine Datei kreise-<land>.yml gefunden.")
    for path in kreis_files:
        load_kreise(d, path)
    for name, loader in (("kammern.yml", load_kammern), ("landesstellen.yml", load_stellen),
                         ("hochschulen.yml", load_hochschulen), ("programme.yml", load_programme),
                         ("themen.yml", load_themen), ("ausserhalb.yml", load_ausserhalb),
                         ("allgemein.yml", load_general)):
        loader(d, directory / name)
    _cross_check(d)
    return d


def _cross_check(d: Directory) -> None:
    names = {p.name: p for p in d.places}
    seen: Dict[str, Place] = {}
    for place in d.places:
        if place.name in seen and seen[place.name].kind == place.kind:
            raise DirectoryError(f"{place.where}: „{place.name}“ steht doppelt (auch {seen[place.name].where}).")
        seen.setdefault(place.name, place)
    for org in d.organisations:
        for region in org.regions:
            if region not in names:
                raise DirectoryError(
                    f"{org.where}: Gebiet „{region}“ ist kein bekannter Ort/Kreis/Land – Schreibweise wie in "
                    f"kreise-*.yml bzw. laender.yml verwenden.")
    kreise = [p for p in d.places if p.kind == "kreis"]
    for art in ("IHK", "HWK"):
        served: Dict[str, str] = {}
        for org in (o for o in d.organisations if o.kind == art):
            for region in org.regions:
                if region in served:
                    raise DirectoryError(f"{org.where}: {region} ist schon bei {served[region]} eingetragen.")
                served[region] = org.name
        missing = [k.name for k in kreise if k.name not in served]
        if missing and any(o.kind == art for o in d.organisations):
            raise DirectoryError(f"kammern.yml: keine {art} für {', '.join(missing)}.")
    network_names = {o.name for o in d.organisations if o.kind == "netzwerk"}
    for inst in d.institutions:
        if inst.town not in names:
            raise DirectoryError(f"{inst.where}: Ort „{inst.town}“ fehlt im Ortsverzeichnis (kreise-*.yml).")
        for net in inst.networks:
            if net not in network_names:
                raise DirectoryError(f"{inst.where}: Netzwerk „{net}“ fehlt unter „netzwerke:“.")
    inside = {fold(a) for p in d.places for a in (p.name, *p.aliases)}
    for out in d.outside:
        if fold(out.name) in inside:
            raise DirectoryError(f"{out.where}: „{out.name}“ liegt laut Ortsverzeichnis in der Region.")
