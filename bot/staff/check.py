"""`bot check`: find mistakes in the staff-edited data before training.

Checks YAML syntax, FAQ topic files, example questions (duplicates across topics),
the contact directory and – optionally – ``rasa data validate``. Every finding names
file and line and says what to do; exit code 1 if there is at least one "Fehler".
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Set, Tuple

import numpy as np
import yaml
from rapidfuzz import fuzz, process
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.config import PROJECT_ROOT
from bot.directory.sources import load_directory
from bot.directory.text import fold
from bot.directory.yaml_source import DirectoryError, utf8_error_line
from bot.staff.findings import ERROR, WARNING, Finding

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
HTTPS = re.compile(r"^https://[^\s/]+\.[^\s]+$")
HTTP = re.compile(r"^http://[^\s/]+\.[^\s]+$")
MIN_EXAMPLES, GOOD_EXAMPLES = 10, 15
MAX_CORE_CHARS = 600
STALE_MONTHS = 12
NEAR_SCORE, NEAR_MIN_CHARS = 95, 12
CONTACT_KEYS = ("website", "phone", "email", "address", "link")
Docs = Dict[Path, Optional[Node]]


# --- helpers -------------------------------------------------------------------------------

def _rel(root: Path, path: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _child(node: Optional[Node], key: str) -> Optional[Node]:
    """The value node under ``key`` of a mapping node (or None)."""
    if isinstance(node, MappingNode):
        for name, value in node.value:
            if isinstance(name, ScalarNode) and name.value == key:
                return value
    return None


def _text(node: Optional[Node]) -> str:
    return node.value.strip() if isinstance(node, ScalarNode) else ""


def _items(node: Optional[Node]) -> List[Node]:
    return list(node.value) if isinstance(node, SequenceNode) else []


def _line(node: Optional[Node]) -> Optional[int]:
    return node.start_mark.line + 1 if node is not None else None


def _months_old(stand: str, today: date) -> int:
    match = MONTH.match(stand)
    assert match
    return (today.year * 12 + today.month) - (int(match.group(1)) * 12 + int(match.group(2)))


# --- 1. YAML syntax ------------------------------------------------------------------------

PROBLEMS = {  # PyYAML's English problem texts, explained
    "mapping values are not allowed": "Doppelpunkt an unerwarteter Stelle",
    "cannot start any token": "Tabulator oder Sonderzeichen am Zeilenanfang",
    "could not find expected ':'": "Doppelpunkt fehlt",
    "expected <block end>": "Einrückung passt nicht zur Zeile darüber",
    "found unexpected end of stream": "Anführungszeichen nicht geschlossen",
    "did not find expected key": "Einrückung passt nicht zur Zeile darüber",
    "did not find expected '-' indicator": "Einrückung einer Liste passt nicht",
}


def _explain(error: yaml.YAMLError) -> str:
    problem = str(getattr(error, "problem", "") or error).strip()
    german = next((de for en, de in PROBLEMS.items() if en in problem), "")
    return f"{german} ({problem})" if german else problem


def check_yaml(root: Path, docs: Docs) -> List[Finding]:
    """Parse every data file; fill ``docs`` with the node trees of the valid ones."""
    findings: List[Finding] = []
    paths = sorted((root / "data").rglob("*.yml")) + [root / "domain.yml", root / "config.yml"]
    for path in paths:
        rel = _rel(root, path)
        try:
            raw = path.read_bytes()
            text = raw.decode("utf-8")
            node = yaml.compose(text, Loader=yaml.SafeLoader)
            yaml.safe_load(text)
        except FileNotFoundError:
            findings.append(Finding(ERROR, rel, None, "Datei fehlt.",
                                    "Datei wiederherstellen, z. B. mit `git checkout -- " + rel + "`"))
            continue
        except UnicodeDecodeError as error:
            findings.append(Finding(ERROR, rel, utf8_error_line(raw, error),
                                    f"Zeichen, das kein UTF-8 ist (Byte 0x{raw[error.start]:02x}).",
                                    "Datei im Editor als UTF-8 speichern, Umlaute dieser Zeile neu tippen"))
            continue
        except OSError as error:
            findings.append(Finding(ERROR, rel, None, f"Datei nicht lesbar ({error}).",
                                    "Dateirechte prüfen"))
            continue
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            findings.append(Finding(
                ERROR, rel, mark.line + 1 if mark else None, f"Ungültiges YAML: {_explain(error)}.",
                "Diese Zeile und die Zeile davor prüfen: Einrückung nur mit Leerzeichen, "
                "Doppelpunkt nach dem Schlüssel, Anführungszeichen paarweise"))
            continue
        docs[path] = node
    return findings


# --- 2. FAQ topic files --------------------------------------------------------------------

def _example_lines(lines: List[str], node: Node) -> Iterator[Tuple[int, str]]:
    """(line number, example text) for each ``- example`` of an ``examples:`` block."""
    wanted = [ln.strip()[2:].strip() for ln in str(node.value).splitlines()
              if ln.strip().startswith("- ")]
    index = node.start_mark.line
    for example in wanted:
        found = None
        for number in range(index, len(lines)):
            stripped = lines[number].strip()
            if stripped.startswith("- ") and stripped[2:].strip() == example:
                found = number
                break
        if found is None:  # not a plain block (e.g. quoted string): use the block's line
            yield node.start_mark.line + 1, example
            continue
        index = found + 1
        yield found + 1, example


def _check_answer(rel: str, variant: Node, today: date) -> List[Finding]:
    findings: List[Finding] = []
    text_node = _child(variant, "text")
    body = text_node.value if isinstance(text_node, ScalarNode) else ""
    if not body.strip():
        findings.append(Finding(ERROR, rel, _line(variant), "Antworttext fehlt.",
                                "Unter der Antwort „text: |-“ und darunter den Antworttext ergänzen"))
    else:
        if "Stand:" not in body:
            findings.append(Finding(ERROR, rel, _line(text_node), "Antworttext ohne „Stand:“-Zeile.",
                                    "Als letzte Zeile z. B. „Stand: November 2026“ ergänzen"))
        core = re.split(r"\n\s*Quellen?:", body)[0]
        if len(core) > MAX_CORE_CHARS:
            findings.append(Finding(
                WARNING, rel, _line(text_node),
                f"Kernantwort hat {len(core)} Zeichen – zu lang fürs Handy (höchstens {MAX_CORE_CHARS}).",
                "Text kürzen; Einzelheiten stehen auf der verlinkten Quelle"))
    meta = _child(variant, "metadata")
    if not isinstance(meta, MappingNode):
        findings.append(Finding(ERROR, rel, _line(variant), "„metadata“ fehlt.",
                                "metadata mit owner, stand (JJJJ-MM) und sources ergänzen"))
        return findings
    if not _text(_child(meta, "owner")):
        findings.append(Finding(ERROR, rel, _line(meta), "metadata.owner fehlt.",
                                "Verantwortliche Stelle eintragen, z. B. „owner: Redaktion Gründungslotse“"))
    stand_node = _child(meta, "stand")
    stand = _text(stand_node)
    if not MONTH.match(stand):
        findings.append(Finding(ERROR, rel, _line(stand_node or meta),
                                f"metadata.stand fehlt oder ist nicht JJJJ-MM („{stand}“).",
                                "Monat der letzten Prüfung eintragen, z. B. „stand: \"2026-11\"“"))
    elif _months_old(stand, today) > STALE_MONTHS:
        findings.append(Finding(WARNING, rel, _line(stand_node),
                                f"Stand {stand} ist älter als {STALE_MONTHS} Monate.",
                                "Antwort prüfen und Stand aktualisieren (metadata.stand und „Stand:“-Zeile)"))
    sources = _child(meta, "sources")
    if not _items(sources):
        findings.append(Finding(ERROR, rel, _line(sources or meta), "metadata.sources fehlt oder ist leer.",
                                "Mindestens eine offizielle Quelle als https-Adresse angeben"))
    for source in _items(sources):
        if not HTTPS.match(_text(source)):
            findings.append(Finding(ERROR, rel, _line(source),
                                    f"Quelle „{_text(source)}“ ist keine https-Adresse.",
                                    "Vollständige Adresse angeben, beginnend mit https://"))
    return findings


def check_faq(root: Path, docs: Docs, today: date) -> List[Finding]:
    """Each data/nlu/faq/<topic>.yml: intent, enough examples, a complete answer."""
    findings: List[Finding] = []
    for path in sorted((root / "data" / "nlu" / "faq").glob("*.yml")):
        if path not in docs:
            continue  # invalid YAML, already reported
        rel, topic, doc = _rel(root, path), path.stem, docs[path]
        items = [i for i in _items(_child(doc, "nlu")) if _child(i, "intent") is not None]
        if not items:
            findings.append(Finding(ERROR, rel, 1, "Keine Beispielfragen („nlu:“ mit „- intent:“) gefunden.",
                                    f"Abschnitt „nlu:“ mit „- intent: faq/{topic}“ und „examples: |“ anlegen"))
        lines = path.read_text(encoding="utf-8").splitlines()
        for item in items:
            intent_node = _child(item, "intent")
            if _text(intent_node) != f"faq/{topic}":
                findings.append(Finding(ERROR, rel, _line(intent_node),
                                        f"Intent heißt „{_text(intent_node)}“, erwartet „faq/{topic}“.",
                                        f"Dateiname und Intent müssen zusammenpassen: {topic}.yml → faq/{topic}"))
            examples = _child(item, "examples")
            count = len(list(_example_lines(lines, examples))) if isinstance(examples, ScalarNode) else 0
            if count < GOOD_EXAMPLES:
                level = ERROR if count < MIN_EXAMPLES else WARNING
                findings.append(Finding(level, rel, _line(intent_node), f"Nur {count} Beispielfragen.",
                                        f"Mindestens {MIN_EXAMPLES}, besser {GOOD_EXAMPLES} verschiedene "
                                        "Formulierungen ergänzen (auch Umgangssprache, Tippfehler)"))
        responses = _child(doc, "responses")
        key = f"utter_faq/{topic}"
        variants = _items(_child(responses, key))
        if not variants:
            findings.append(Finding(ERROR, rel, _line(responses) or 1, f"Antwort „{key}“ fehlt.",
                                    f"Unter „responses:“ den Eintrag „{key}:“ mit Text und metadata "
                                    "anlegen (Vorlage: eine andere Themen-Datei)"))
        for variant in variants:
            findings += _check_answer(rel, variant, today)
    return findings


# --- 3. example questions -------------------------------------------------------------------

ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def normalise(text: str) -> str:
    """Lowercase, umlauts folded, entity markup and punctuation removed (bot.directory.text.fold)."""
    return fold(ANNOTATION.sub(r"\1", text))


def _as_trained(text: str) -> str:
    """What the model's featurizers see: lowercase, no punctuation – but umlauts kept."""
    text = ANNOTATION.sub(r"\1", text).lower()
    return " ".join(re.sub(r"[^\w\s]|_", " ", text).split())


@dataclass(frozen=True)
class Example:
    text: str
    norm: str
    intent: str
    file: str
    line: int

    @property
    def place(self) -> str:
        return f"{self.intent} ({self.file}:{self.line})"


def collect_examples(root: Path, docs: Docs) -> List[Example]:
    """All examples of all intents in data/nlu (without data/nlu/generated)."""
    found: List[Example] = []
    nlu_dir = root / "data" / "nlu"
    for path in sorted(nlu_dir.rglob("*.yml")):
        if path not in docs or (nlu_dir / "generated") in path.parents:
            continue
        lines = path.read_text(encoding="utf-8").splitlines()
        for item in _items(_child(docs[path], "nlu")):
            intent, examples = _text(_child(item, "intent")), _child(item, "examples")
            if not intent or not isinstance(examples, ScalarNode):
                continue
            for number, text in _example_lines(lines, examples):
                found.append(Example(text, normalise(text), intent, _rel(root, path), number))
    return found


def _exact_duplicates(groups: Dict[str, List[Example]]) -> List[Finding]:
    findings: List[Finding] = []
    for group in groups.values():
        first = group[0]
        for other in group[1:]:
            if other.intent != first.intent:
                findings.append(Finding(
                    ERROR, other.file, other.line,
                    f"Beispiel „{other.text}“ steht in zwei Themen: {first.place} und {other.place}.",
                    "Beispiel aus einem der beiden Themen entfernen – sonst weiß der Bot nicht, "
                    "welche Antwort passt"))
            elif _as_trained(other.text) == _as_trained(first.text):
                # same intent: deliberate spellings (menü/menue) stay; what the model sees twice is noise
                same = "zweimal" if other.text == first.text else f"fast gleich wie „{first.text}“"
                findings.append(Finding(
                    WARNING, other.file, other.line,
                    f"Beispiel „{other.text}“ steht {same} in {first.intent} "
                    f"({first.file}:{first.line} und {other.file}:{other.line}).",
                    "Eine der beiden Zeilen löschen (Groß-/Kleinschreibung und Satzzeichen sieht "
                    "der Bot nicht; verschiedene Schreibweisen wie „menü/menue“ dürfen bleiben)"))
    return findings


def _near_duplicates(groups: Dict[str, List[Example]]) -> List[Finding]:
    keys = [key for key in groups if len(key) >= NEAR_MIN_CHARS]
    if len(keys) < 2:
        return []
    scores = process.cdist(keys, keys, scorer=fuzz.ratio, score_cutoff=NEAR_SCORE,
                           dtype=np.float32, workers=1)
    findings: List[Finding] = []
    for i, j in zip(*np.nonzero(np.triu(scores, k=1) >= NEAR_SCORE)):
        pair = next(((a, b) for a in groups[keys[i]] for b in groups[keys[j]] if a.intent != b.intent), None)
        if pair:
            a, b = sorted(pair, key=lambda e: (e.file, e.line))
            findings.append(Finding(
                WARNING, b.file, b.line,
                f"Fast gleiche Beispiele in zwei Themen: „{a.text}“ in {a.place} "
                f"und „{b.text}“ in {b.place}.",
                "Eines der beiden Beispiele umformulieren oder entfernen"))
    return findings


def check_examples(root: Path, docs: Docs) -> List[Finding]:
    """Exact duplicates (Fehler across intents, Warnung within one) and near-duplicates."""
    groups: Dict[str, List[Example]] = defaultdict(list)
    for example in collect_examples(root, docs):
        if example.norm:
            groups[example.norm].append(example)
    return _exact_duplicates(groups) + _near_duplicates(groups)


# --- 4. contact directory -------------------------------------------------------------------

def _mappings(node: Node) -> Iterator[MappingNode]:
    if isinstance(node, MappingNode):
        yield node
        for _, value in node.value:
            yield from _mappings(value)
    elif isinstance(node, SequenceNode):
        for item in node.value:
            yield from _mappings(item)


def _check_contact(rel: str, entry: MappingNode, today: date) -> List[Finding]:
    name = _text(_child(entry, "name"))
    required = bool(name) and any(_child(entry, key) is not None for key in CONTACT_KEYS)
    label = f"Eintrag „{name}“" if name else "Eintrag"
    findings: List[Finding] = []
    source, verified = _child(entry, "source"), _child(entry, "verified")
    if source is None and required:
        findings.append(Finding(ERROR, rel, _line(entry), f"{label} ohne Quelle (source).",
                                "Offizielle Seite, auf der die Angaben stehen, als „source: https://…“ ergänzen"))
    elif source is not None and HTTP.match(_text(source)):  # some official sites lack https
        findings.append(Finding(WARNING, rel, _line(source),
                                f"{label}: Quelle „{_text(source)}“ ohne https.",
                                "Wenn die Seite auch mit https:// erreichbar ist, diese Adresse eintragen"))
    elif source is not None and not HTTPS.match(_text(source)):
        findings.append(Finding(ERROR, rel, _line(source),
                                f"{label}: Quelle „{_text(source)}“ ist keine Web-Adresse.",
                                "Vollständige Adresse der Seite angeben, beginnend mit https://"))
    if verified is None and required:
        findings.append(Finding(ERROR, rel, _line(entry), f"{label} ohne Prüfdatum (verified).",
                                "Monat der Prüfung ergänzen, z. B. „verified: 2026-11“"))
    elif verified is not None and not MONTH.match(_text(verified)):
        findings.append(Finding(ERROR, rel, _line(verified),
                                f"{label}: verified „{_text(verified)}“ ist nicht JJJJ-MM.",
                                "Monat der Prüfung angeben, z. B. „verified: 2026-11“"))
    elif verified is not None and _months_old(_text(verified), today) > STALE_MONTHS:
        findings.append(Finding(WARNING, rel, _line(verified),
                                f"{label}: zuletzt geprüft {_text(verified)}, älter als {STALE_MONTHS} Monate.",
                                "Angaben auf der Quelle prüfen und verified aktualisieren"))
    return findings


def check_directory(root: Path, docs: Docs, today: date) -> List[Finding]:
    """Entries with contact details need ``source`` (https) and ``verified`` (JJJJ-MM)."""
    findings: List[Finding] = []
    for path in sorted((root / "data" / "directory").glob("*.yml")):
        doc = docs.get(path)
        if not isinstance(doc, MappingNode):
            continue
        for _, value in doc.value:
            if isinstance(value, SequenceNode):
                for entry in _mappings(value):
                    findings += _check_contact(_rel(root, path), entry, today)
    return findings


_DIRECTORY_ERROR = re.compile(r"^(?P<path>.+?\.yml)(?::(?P<line>\d+))?: (?P<message>.*)$", re.S)


def check_directory_build(root: Path, docs: Docs, known: List[Finding]) -> List[Finding]:
    """Everything `bot verzeichnis` checks (Kreis names, `gewerbe:` links, duplicates …) as a finding.

    The build stops at the first problem, so this gives at most one finding; skipped if a directory
    file is not valid YAML (already reported) or the same file:line already has an error.
    """
    directory = root / "data" / "directory"
    if any(path not in docs for path in directory.glob("*.yml")):
        return []
    try:
        load_directory(directory)
    except DirectoryError as error:
        match = _DIRECTORY_ERROR.match(str(error))
        file = _rel(root, Path(match.group("path"))) if match else _rel(root, directory)
        line = int(match.group("line")) if match and match.group("line") else None
        message = match.group("message") if match else str(error)
        if any(f.level == ERROR and (f.file, f.line) == (file, line) for f in known):
            return []
        return [Finding(ERROR, file, line, f"Kontaktverzeichnis: {message}",
                        "Eintrag korrigieren – solange der Fehler besteht, baut `bot verzeichnis` nichts neu")]
    return []


# --- 5. rasa data validate ------------------------------------------------------------------

ANSI = re.compile(r"\x1b\[[0-9;]*m")
RASA_LINES = (re.compile(r"UserWarning: (.+)"), re.compile(r"\bERROR\s+\S+\s+-\s+(.+)"),
              re.compile(r"\bWARNING\s+\S+\s+-\s+(.+)"))
FILE_IN_MESSAGE = re.compile(r"([^\s'\"]*(?:data/[^\s'\":]+\.ya?ml|domain\.yml|config\.yml))")
RASA_HINT = "Meldung von Rasa (englisch): betroffene Stelle prüfen, bei Unklarheit die Technik fragen"


UNUSED_UTTERANCE = re.compile(r"The utterance '([^']+)' is not used in any story or rule")


def responses_used_outside_rules(root: Path) -> Set[str]:
    """Responses Rasa's validator cannot see being used: form questions (``utter_ask_<slot>``)
    and responses that custom actions send (``response="utter_…"`` in actions/)."""
    used: Set[str] = set()
    try:
        domain = yaml.safe_load((root / "domain.yml").read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        domain = {}
    for form in (domain.get("forms") or {}).values():
        used |= {f"utter_ask_{slot}" for slot in (form or {}).get("required_slots") or []}
    for path in (root / "actions").glob("*.py"):  # response="utter_…" and names in tables ("utter_en_…")
        used |= set(re.findall(r"\"(utter_[a-z_]+)\"", path.read_text(encoding="utf-8")))
    return used


def expected_rasa_warning(message: str, root: Path = PROJECT_ROOT) -> bool:
    """Warnings that are not staff mistakes: Rasa 3.6 reports the retrieval intent ``faq`` as
    duplicated (its own merge bug), and cannot see responses used by forms and custom actions."""
    if "duplicated intents" in message and "faq" in message:
        return True
    unused = UNUSED_UTTERANCE.search(message)
    return bool(unused) and unused.group(1) in responses_used_outside_rules(root)


def _known_rasa_bug(message: str, root: Path = PROJECT_ROOT) -> bool:
    return expected_rasa_warning(message, root)


def _rasa_file(root: Path, message: str) -> str:
    match = FILE_IN_MESSAGE.search(message)
    if not match:
        return "rasa data validate"
    return _rel(root, Path(match.group(1))) if match.group(1).startswith("/") else match.group(1)


def check_rasa(root: Path) -> List[Finding]:
    """Run ``rasa data validate`` and turn its warnings and errors into findings."""
    command = [sys.executable, "-m", "rasa", "data", "validate", "--data", "data",
               "--domain", "domain.yml", "--config", "config.yml"]
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"}
    try:
        result = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as error:
        return [Finding(ERROR, "rasa data validate", None, f"Rasa-Prüfung lief nicht: {error}.",
                        "Installation prüfen (`make run` richtet alles ein)")]
    level = ERROR if result.returncode else WARNING
    findings: List[Finding] = []
    for raw in (result.stdout + "\n" + result.stderr).splitlines():
        line = ANSI.sub("", raw)
        match = next((m for m in (p.search(line) for p in RASA_LINES) if m), None)
        if match and not _known_rasa_bug(match.group(1), root):
            message = match.group(1).strip()
            findings.append(Finding(level, _rasa_file(root, message), None, f"Rasa: {message}", RASA_HINT))
    if result.returncode and not findings:
        tail = [ANSI.sub("", ln).strip() for ln in (result.stdout + result.stderr).splitlines() if ln.strip()]
        findings.append(Finding(ERROR, "rasa data validate", None,
                                f"Rasa-Prüfung fehlgeschlagen: {tail[-1] if tail else 'ohne Meldung'}",
                                RASA_HINT))
    return findings


# --- entry points ---------------------------------------------------------------------------

def run_checks(root: Path, today: Optional[date] = None, rasa: bool = True) -> List[Finding]:
    """All checks on the project at ``root``; Rasa's own check only if the YAML is valid."""
    today = today or date.today()
    docs: Docs = {}
    findings = check_yaml(root, docs)
    yaml_ok = not findings
    findings += check_faq(root, docs, today)
    findings += check_examples(root, docs)
    findings += check_directory(root, docs, today)
    findings += check_directory_build(root, docs, findings)
    if rasa and yaml_ok:
        findings += check_rasa(root)
    return findings


def summary(findings: List[Finding]) -> str:
    errors = sum(f.level == ERROR for f in findings)
    warnings = len(findings) - errors
    if not findings:
        return "Alles in Ordnung."
    return f"{errors} Fehler, {warnings} {'Warnung' if warnings == 1 else 'Warnungen'}"


def format_findings(findings: List[Finding]) -> str:
    """Errors first, then warnings, each sorted by file and line; summary last."""
    out: List[str] = []
    for level, title in ((ERROR, "Fehler – bitte vor dem Training beheben:"),
                         (WARNING, "Warnungen – bitte prüfen:")):
        chosen = sorted((f for f in findings if f.level == level), key=lambda f: (f.file, f.line or 0))
        if chosen:
            out += [title] + [f"  {f}" for f in chosen] + [""]
    return "\n".join(out + [summary(findings)])


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bot check", description="Prüft FAQ-Themen, Beispielfragen und Kontaktverzeichnis.")
    parser.add_argument("--ohne-rasa", action="store_true",
                        help="Rasas eigene Prüfung überspringen (schneller, spart etwa 10 Sekunden)")
    parser.add_argument("--root", type=Path, default=PROJECT_ROOT, help=argparse.SUPPRESS)
    parser.add_argument("--heute", type=date.fromisoformat, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.ohne_rasa:
        print("Prüfe die Daten (mit Rasa, dauert etwa 10 Sekunden) …", file=sys.stderr)
    findings = run_checks(args.root, today=args.heute, rasa=not args.ohne_rasa)
    print(format_findings(findings))
    return 1 if any(f.level == ERROR for f in findings) else 0


if __name__ == "__main__":
    sys.exit(main())
