"""FAQ topic files (``data/nlu/faq/<thema>.yml``) as the console shows and changes them.

Reading is generic (any number of Land variants, buttons, extra keys stay untouched); every
change is a function ``old text → new text`` on the round-trip YAML, so comments and layout
stay. The ``Stand`` of a changed answer is set to the current month in the text and in
``metadata.stand``.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

from bot.redaktion.topic_rules import (LAENDER, TOPIC_NAME, check_core, check_sources, compose_text,
                                       current_month, split_text)
from bot.redaktion.yamlfile import (EditRefused, cached_read, clean_block, clean_line, editable, load, scalar,
                                    version_of)
from bot.redaktion.yamlfile import dump as dump_yaml

FAQ_DIR = Path("data") / "nlu" / "faq"
TITLE = re.compile(r"^#\s*FAQ-Thema:\s*(.+?)\s*$", re.MULTILINE)
STALE_WARN_MONTHS = 6
ANNOTATION = re.compile(r"\[[^\]]*\]\s*[({]")


@dataclass(frozen=True)
class Variant:
    index: int
    land: Optional[str]  # None: users whose Land is unknown
    core: str
    sources: Tuple[str, ...]
    owner: str
    stand: str
    buttons: Tuple[str, ...]

    @property
    def label(self) -> str:
        return f"Variante {self.land}" if self.land else "Allgemeine Antwort (Land unbekannt)"


@dataclass(frozen=True)
class Topic:
    name: str
    title: str
    rel: str
    version: str
    examples: Tuple[str, ...]
    variants: Tuple[Variant, ...]

    @property
    def stand(self) -> str:
        """The oldest Stand of all variants (what needs checking first)."""
        stands = [v.stand for v in self.variants if v.stand]
        return min(stands) if stands else ""

    @property
    def owner(self) -> str:
        return ", ".join(sorted({v.owner for v in self.variants if v.owner}))

    @property
    def missing_lands(self) -> List[str]:
        have = {v.land for v in self.variants}
        return [land for land in LAENDER if land not in have]


def months_old(stand: str, today: Optional[date] = None) -> Optional[int]:
    match = re.fullmatch(r"(\d{4})-(\d{2})", stand or "")
    if not match:
        return None
    today = today or date.today()
    return today.year * 12 + today.month - int(match.group(1)) * 12 - int(match.group(2))


def rel_path(name: str) -> str:
    """``data/nlu/faq/<name>.yml`` for a valid topic name; EditRefused otherwise (no traversal)."""
    if not TOPIC_NAME.match(name or ""):
        raise EditRefused(f"„{name}“ ist kein gültiger Themenname: nur a–z, 0–9 und _ (3–60 Zeichen).")
    return (FAQ_DIR / f"{name}.yml").as_posix()


def topic_names(root: Path) -> List[str]:
    return sorted(p.stem for p in (root / FAQ_DIR).glob("*.yml") if TOPIC_NAME.match(p.stem))


def _land(variant: Any) -> Optional[str]:
    for condition in variant.get("condition") or []:
        if isinstance(condition, dict) and condition.get("name") == "land":
            return str(condition.get("value"))
    return None


def _examples(block: Any) -> List[str]:
    return [ln.strip()[2:].strip() for ln in str(block or "").splitlines() if ln.strip().startswith("- ")]


def _intent_item(data: Any, name: str) -> Any:
    for item in data.get("nlu") or []:
        if isinstance(item, dict) and item.get("intent") == f"faq/{name}":
            return item
    raise EditRefused(f"In der Datei fehlt „- intent: faq/{name}“.")


def _variants(data: Any, name: str) -> Any:
    variants = (data.get("responses") or {}).get(f"utter_faq/{name}")
    if not isinstance(variants, list):
        raise EditRefused(f"In der Datei fehlt die Antwort „utter_faq/{name}“.")
    return variants


def parse(name: str, text: str) -> Topic:
    data = load(text)
    item = _intent_item(data, name)
    variants = []
    for index, raw in enumerate(_variants(data, name)):
        meta = raw.get("metadata") or {}
        variants.append(Variant(
            index=index, land=_land(raw), core=split_text(str(raw.get("text") or "")),
            sources=tuple(str(s) for s in meta.get("sources") or []), owner=str(meta.get("owner") or ""),
            stand=str(meta.get("stand") or ""),
            buttons=tuple(str(b.get("title")) for b in raw.get("buttons") or [] if isinstance(b, dict))))
    title_match = TITLE.search(text)
    return Topic(name=name, title=title_match.group(1) if title_match else name, rel=rel_path(name),
                 version=version_of(text), examples=tuple(_examples(item.get("examples"))),
                 variants=tuple(variants))


def read_topic(root: Path, name: str) -> Topic:
    path = root / rel_path(name)
    if not path.is_file():
        raise EditRefused(f"Ein Thema „{name}“ gibt es nicht.")
    return cached_read(path, "thema", lambda text: parse(name, text))


def read_all(root: Path) -> Tuple[List[Topic], Dict[str, str]]:
    """All readable topics, and for each unreadable file why."""
    topics, broken = [], {}
    for name in topic_names(root):
        try:
            topics.append(read_topic(root, name))
        except EditRefused as error:
            broken[name] = str(error)
    return topics, broken


# --- inputs --------------------------------------------------------------------------------

def parse_sources(raw: str, label: str) -> List[str]:
    sources = [clean_line(s, label, 500) for s in re.split(r"[\n,]+", raw or "") if s.strip()]
    problems = check_sources(sources, label)
    if problems:
        raise EditRefused("Quellen prüfen:", problems)
    return sources


def clean_example(raw: str) -> str:
    text = " ".join(clean_line(raw, "Beispielfrage", 300).split())
    if not any(ch.isalnum() for ch in text):
        raise EditRefused("Die Beispielfrage enthält keine Wörter.")
    if ANNOTATION.search(text):
        raise EditRefused("Eckige Klammern mit ( ) oder { } liest Rasa als Markierung – bitte ohne eintragen.")
    if text.startswith(("- ", "#")):
        raise EditRefused("Eine Beispielfrage darf nicht mit „- “ oder „#“ beginnen.")
    return text


@dataclass(frozen=True)
class AnswerInput:
    index: int
    core: str
    sources: List[str]
    confirmed: bool  # "geprüft": set the Stand even without a change


# --- transforms (old text → new text) -------------------------------------------------------

def _set_answer(variant: Any, core: str, sources: List[str], month: str) -> None:
    variant["text"] = LiteralScalarString(compose_text(core, sources, month))
    meta = variant.get("metadata")
    if not isinstance(meta, dict):
        meta = CommentedMap()
        variant["metadata"] = meta
    meta["stand"] = DoubleQuotedScalarString(month)
    old = meta.get("sources")
    if isinstance(old, list):
        del old[:]
        old.extend(sources)
    else:
        meta["sources"] = CommentedSeq(sources)


def save_answers(text: str, name: str, answers: List[AnswerInput], owner: Optional[str],
                 today: Optional[date] = None) -> str:
    data = editable(text)
    variants = _variants(data, name)
    month = current_month(today)
    problems: List[str] = []
    for answer in answers:
        if not 0 <= answer.index < len(variants):
            raise EditRefused("Diese Antwortvariante gibt es nicht mehr – bitte die Seite neu laden.")
        variant = variants[answer.index]
        label = f"Variante {_land(variant) or 'allgemein'}"
        core = clean_block(answer.core, label)
        issues = check_core(core, label) + check_sources(answer.sources, label)
        if issues:
            problems += issues
            continue
        meta = variant.get("metadata") or {}
        changed = (split_text(str(variant.get("text") or "")) != core
                   or [str(s) for s in meta.get("sources") or []] != answer.sources)
        if changed or answer.confirmed:
            _set_answer(variant, core, answer.sources, month)
    if problems:
        raise EditRefused("Nicht gespeichert – bitte korrigieren:", problems)
    if owner is not None:
        owner = clean_line(owner, "Verantwortlich", 120)
        if not owner:
            raise EditRefused("Verantwortlich (owner) darf nicht leer sein.")
        for variant in variants:
            if isinstance(variant.get("metadata"), dict) and variant["metadata"].get("owner") != owner:
                variant["metadata"]["owner"] = scalar(owner)
    return dump_yaml(data)


def add_example(text: str, name: str, example: str) -> str:
    data = editable(text)
    item = _intent_item(data, name)
    example = clean_example(example)
    existing = _examples(item.get("examples"))
    if example.lower() in (e.lower() for e in existing):
        raise EditRefused(f"„{example}“ steht schon als Beispielfrage in diesem Thema.")
    block = str(item.get("examples") or "")
    if block and not block.endswith("\n"):
        block += "\n"
    item["examples"] = LiteralScalarString(block + f"- {example}\n")
    return dump_yaml(data)


def remove_example(text: str, name: str, example: str) -> str:
    data = editable(text)
    item = _intent_item(data, name)
    lines = str(item.get("examples") or "").splitlines(keepends=True)
    kept = [ln for ln in lines if not (ln.strip().startswith("- ") and ln.strip()[2:].strip() == example)]
    if len(kept) == len(lines):
        raise EditRefused(f"„{example}“ steht nicht (mehr) in diesem Thema.")
    item["examples"] = LiteralScalarString("".join(kept))
    return dump_yaml(data)


def add_variant(text: str, name: str, land: str, today: Optional[date] = None) -> str:
    """A Land variant, first filled with the general answer (the editor then adapts it)."""
    if land not in LAENDER:
        raise EditRefused(f"„{land}“ ist kein Land der Region.")
    data = editable(text)
    variants = _variants(data, name)
    if any(_land(v) == land for v in variants):
        raise EditRefused(f"Eine Variante für {land} gibt es schon.")
    general = next((v for v in variants if not v.get("condition")), None)
    if general is None:
        raise EditRefused("Die allgemeine Antwort fehlt – erst sie anlegen.")
    condition = CommentedSeq([CommentedMap([("type", "slot"), ("name", "land"), ("value", land)])])
    new = CommentedMap([("condition", condition)])
    for key, value in general.items():
        if key != "condition":
            new[key] = copy.deepcopy(value)  # shared objects would be written as YAML anchors
    meta = general.get("metadata") or {}
    new["metadata"] = CommentedMap([("owner", meta.get("owner", "")), ("stand", DoubleQuotedScalarString("")),
                                    ("sources", CommentedSeq())])
    _set_answer(new, split_text(str(general.get("text") or "")), [str(s) for s in meta.get("sources") or []],
                current_month(today))
    variants.append(new)
    return dump_yaml(data)


def remove_variant(text: str, name: str, index: int) -> str:
    data = editable(text)
    variants = _variants(data, name)
    if not 0 <= index < len(variants):
        raise EditRefused("Diese Antwortvariante gibt es nicht mehr – bitte die Seite neu laden.")
    if not variants[index].get("condition"):
        raise EditRefused("Die allgemeine Antwort (Land unbekannt) muss bleiben.")
    del variants[index]
    return dump_yaml(data)


def new_topic_text(name: str, title: str, examples: List[str], core: str, sources: List[str], owner: str,
                   today: Optional[date] = None) -> str:
    """A new topic file in the project's layout (one general answer, no buttons)."""
    title = clean_line(title, "Titel", 120) or name
    owner = clean_line(owner, "Verantwortlich", 120)
    if not owner:
        raise EditRefused("Verantwortlich (owner) darf nicht leer sein.")
    cleaned = []
    for example in examples:
        example = clean_example(example)
        if example.lower() not in (e.lower() for e in cleaned):
            cleaned.append(example)
    core = clean_block(core, "Antwort")
    problems = check_core(core, "Antwort") + check_sources(sources, "Quellen")
    if problems:
        raise EditRefused("Nicht angelegt – bitte korrigieren:", problems)
    skeleton = (f'version: "3.1"\n\n# FAQ-Thema: {title}\n'
                "# Verantwortlich (owner) und Stand stehen unten in metadata; Text nennt Quellen und Stand.\n\n"
                f"nlu:\n  - intent: faq/{name}\n    examples: |\n      - platzhalter\n\n"
                f"responses:\n  utter_faq/{name}:\n    - text: |-\n        platzhalter\n"
                f'      metadata:\n        owner: x\n        stand: "2000-01"\n        sources:\n          - x\n')
    data = load(skeleton)
    data["nlu"][0]["examples"] = LiteralScalarString("".join(f"- {e}\n" for e in cleaned))
    variant = data["responses"][f"utter_faq/{name}"][0]
    variant["metadata"]["owner"] = scalar(owner)
    _set_answer(variant, core, sources, current_month(today))
    return dump_yaml(data)


def parse_example_lines(raw: str) -> List[str]:
    return [ln.strip().lstrip("-").strip() for ln in (raw or "").splitlines() if ln.strip().lstrip("-").strip()]
