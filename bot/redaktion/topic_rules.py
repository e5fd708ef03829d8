"""The rules a FAQ topic file must keep – checked before the console writes one.

The same rules as ``tests/test_faq_content.py`` (structure, ≤ 600 characters, Quellen line =
metadata.sources, Stand line) plus ``bot check`` (run on an overlay of data/nlu with the new
file: YAML, intent name, examples, answers, duplicates across topics) and the button rule
(a button's text payload must stay a known example).
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml
from yaml.nodes import Node

from bot.staff.check import _exact_duplicates, check_faq, collect_examples
from bot.staff.findings import ERROR, Finding

LAENDER = ("Sachsen", "Sachsen-Anhalt", "Thüringen")
MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
          "November", "Dezember")
MAX_CORE_CHARS = 600
MIN_EXAMPLES = 15
HTTPS_URL = re.compile(r"^https://[^\s/]+\.[^\s,]+$")
STAND_LINE = re.compile(r"\nStand: (" + "|".join(MONTHS) + r") 20\d\d$")
TOPIC_NAME = re.compile(r"^[a-z0-9_]{3,60}$")
INTENT_PAYLOAD = re.compile(r"/(\w+)(\{.*\})?")


def month_label(month: str) -> str:
    """``2026-12`` → ``Dezember 2026``."""
    year, number = month.split("-")
    return f"{MONTHS[int(number) - 1]} {year}"


def current_month(today: Optional[date] = None) -> str:
    today = today or date.today()
    return f"{today.year:04d}-{today.month:02d}"


def sources_line(sources: List[str]) -> str:
    return f"{'Quelle' if len(sources) == 1 else 'Quellen'}: {', '.join(sources)}"


def compose_text(core: str, sources: List[str], month: str) -> str:
    """The answer text as the files hold it: core, ``Quelle(n): …``, ``Stand: <Monat Jahr>``."""
    return f"{core}\n{sources_line(sources)}\nStand: {month_label(month)}"


def split_text(text: str) -> str:
    """The core answer of a text (everything before the ``Quelle(n):`` line)."""
    return re.split(r"\n\s*Quellen?:", text)[0]


def check_core(core: str, label: str) -> List[str]:
    problems = []
    if not core.strip():
        problems.append(f"{label}: Der Antworttext fehlt.")
    if len(core) > MAX_CORE_CHARS:
        problems.append(f"{label}: {len(core)} Zeichen – höchstens {MAX_CORE_CHARS}, damit die Antwort "
                        "auf dem Handy lesbar bleibt. Einzelheiten stehen auf der verlinkten Quelle.")
    for line in core.split("\n"):
        if re.match(r"\s*(Quellen?|Stand)\s*:", line):
            problems.append(f"{label}: Zeilen „Quelle(n):“ und „Stand:“ setzt die Konsole selbst – "
                            "bitte aus dem Text entfernen.")
            break
    return problems


def check_sources(sources: List[str], label: str) -> List[str]:
    if not sources:
        return [f"{label}: Mindestens eine offizielle Quelle (https://…) angeben."]
    bad = [s for s in sources if not HTTPS_URL.match(s)]
    problems = [f"{label}: „{s}“ ist keine vollständige https-Adresse." for s in bad]
    if len(set(sources)) != len(sources):
        problems.append(f"{label}: Eine Quelle steht doppelt.")
    return problems


def _examples(block: Any) -> List[str]:
    return [ln.strip()[2:] for ln in str(block or "").splitlines() if ln.strip().startswith("- ")]


def check_structure(topic: str, data: Any) -> List[str]:
    """What tests/test_faq_content.py asserts for one topic file."""
    problems: List[str] = []
    try:
        intent = data["nlu"][0]["intent"]
        variants = data["responses"][f"utter_{intent}"]
    except (KeyError, IndexError, TypeError):
        return ["Die Datei hat nicht den Aufbau einer Themen-Datei (nlu → intent, responses → utter_faq/…)."]
    if intent != f"faq/{topic}":
        problems.append(f"Intent „{intent}“ passt nicht zum Dateinamen (erwartet faq/{topic}).")
    count = len(_examples(data["nlu"][0].get("examples")))
    if count < MIN_EXAMPLES:
        problems.append(f"Nur {count} Beispielfragen – mindestens {MIN_EXAMPLES} nötig.")
    if sum(1 for v in variants if not v.get("condition")) != 1:
        problems.append("Es muss genau eine Antwort ohne Land-Bedingung geben (für Nutzer ohne bekanntes Land).")
    for number, variant in enumerate(variants, 1):
        label = f"Variante {number}"
        for condition in variant.get("condition") or []:
            if (condition.get("type"), condition.get("name")) != ("slot", "land") or \
                    condition.get("value") not in LAENDER:
                problems.append(f"{label}: Bedingung nur auf das Land (Sachsen, Sachsen-Anhalt, Thüringen).")
        text = str(variant.get("text") or "")
        core, _, tail = text.partition("\nQuelle")
        if not tail:
            problems.append(f"{label}: Zeile „Quelle(n): …“ fehlt.")
        problems += check_core(core, label) if core.strip() else [f"{label}: Der Antworttext fehlt."]
        if not STAND_LINE.search(text):
            problems.append(f"{label}: Die letzte Zeile muss „Stand: <Monat Jahr>“ sein.")
        meta = variant.get("metadata") or {}
        urls = [u.rstrip(",") for u in re.findall(r"https://\S+?(?=,\s|\s|$)", text.split("\n")[-2])] \
            if "\n" in text else []
        if not str(meta.get("owner") or "").strip():
            problems.append(f"{label}: Verantwortliche Stelle (owner) fehlt.")
        if not re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", str(meta.get("stand") or "")):
            problems.append(f"{label}: metadata.stand muss JJJJ-MM sein.")
        sources = [str(s) for s in meta.get("sources") or []]
        problems += check_sources(sources, label)
        if urls != sources:
            problems.append(f"{label}: Quellen-Zeile und metadata.sources stimmen nicht überein.")
    return problems


@lru_cache(maxsize=512)
def _compose(text: str) -> Optional[Node]:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None


def _payload_problems(nlu_dir: Path, domain_file: Path) -> List[str]:
    """tests/test_faq_content.py::test_button_payloads_point_to_known_questions on the overlay."""
    known = set()
    responses: Dict[str, Any] = {}
    for path in sorted(nlu_dir.rglob("*.yml")):
        data = _load(path.read_text(encoding="utf-8")) or {}
        for item in [i for i in data.get("nlu", []) if isinstance(i, dict) and "intent" in i]:
            known.update(_examples(item.get("examples")))
        if path.parent.name == "faq":
            responses.update(data.get("responses") or {})
    domain = yaml.safe_load(domain_file.read_text(encoding="utf-8")) or {}
    responses = {**(domain.get("responses") or {}), **responses}
    problems = []
    for name, variants in responses.items():
        if name.startswith("utter_ask_"):
            continue
        for variant in variants or []:
            for button in variant.get("buttons") or []:
                payload = str(button.get("payload", ""))
                intent = INTENT_PAYLOAD.fullmatch(payload)
                if intent:
                    try:
                        entities = json.loads(intent.group(2) or "{}")
                    except ValueError:
                        entities = None
                    if intent.group(1) not in (domain.get("intents") or []) or entities is None:
                        problems.append(f"Button „{button.get('title')}“ in {name}: unbekannter Befehl {payload}.")
                elif payload not in known:
                    problems.append(f"Button „{button.get('title')}“ in {name} schickt „{payload}“ – diese "
                                    "Frage muss als Beispielfrage in einem Thema stehen.")
    return problems


def validate_topic_file(root: Path, topic: str, new_text: str, today: Optional[date] = None) -> List[str]:
    """Every reason why ``new_text`` must not become ``data/nlu/faq/<topic>.yml`` (empty = fine)."""
    if not TOPIC_NAME.match(topic):
        return [f"„{topic}“ ist kein gültiger Themenname (a–z, 0–9, _)."]
    try:
        data = yaml.safe_load(new_text)
    except yaml.YAMLError as error:
        return [f"Das Ergebnis wäre kein gültiges YAML ({error.__class__.__name__})."]
    problems = check_structure(topic, data)
    if problems:
        return problems
    rel = f"data/nlu/faq/{topic}.yml"
    with tempfile.TemporaryDirectory(prefix="gl-redaktion-") as tmp:
        overlay = Path(tmp)
        shutil.copytree(root / "data" / "nlu", overlay / "data" / "nlu",
                        ignore=shutil.ignore_patterns(".*"))
        shutil.copy2(root / "domain.yml", overlay / "domain.yml")
        (overlay / rel).write_text(new_text, encoding="utf-8")
        docs = {}
        for path in sorted((overlay / "data" / "nlu").rglob("*.yml")):
            node = _compose(path.read_text(encoding="utf-8"))
            if node is not None:
                docs[path] = node
        findings: List[Finding] = check_faq(overlay, {overlay / rel: docs[overlay / rel]}, today or date.today())
        groups: Dict[str, list] = {}
        for example in collect_examples(overlay, docs):
            if example.norm:
                groups.setdefault(example.norm, []).append(example)
        findings += [f for f in _exact_duplicates(groups) if rel in f.file or rel in f.message]
        problems = [f"{f.message} {f.hint}".strip() for f in findings if f.level == ERROR]
        problems += _cross_topic_keys(overlay / "data" / "nlu", f"faq/{topic}")
        problems += _payload_problems(overlay / "data" / "nlu", overlay / "domain.yml")
    return problems


def _cross_topic_keys(nlu_dir: Path, intent: str) -> List[str]:
    """tests/test_faq_content.py::test_no_example_appears_in_two_intents (its own normalisation)."""
    owner: Dict[str, str] = {}
    problems = []
    for path in sorted(nlu_dir.rglob("*.yml")):
        data = _load(path.read_text(encoding="utf-8")) or {}
        for item in [i for i in data.get("nlu", []) if isinstance(i, dict) and "intent" in i]:
            for example in _examples(item.get("examples")):
                key = re.sub(r"\W+", " ", example.lower()).strip()
                first = owner.setdefault(key, item["intent"])
                if first != item["intent"] and intent in (first, item["intent"]):
                    other = first if first != intent else item["intent"]
                    problems.append(f"Beispiel „{example}“ steht auch im Thema {other} – "
                                    "eine Frage darf nur in einem Thema stehen.")
    return problems


@lru_cache(maxsize=512)
def _load_text(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def _load(text: str) -> Any:
    """Parsed data of a file's text (cached by content; callers only read it)."""
    return _load_text(text)
