"""`bot inbox`: questions the bot could not answer (or that got a 👎) – list, assign, dismiss.

``bot inbox`` lists open questions, similar ones grouped; ``bot inbox assign ID THEMA`` adds the
question as an example line to ``data/nlu/faq/<THEMA>.yml`` (only that line changes in the file);
``bot inbox dismiss ID`` discards it.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import yaml
from rapidfuzz import fuzz, process
from yaml.nodes import Node, ScalarNode

from bot.config import PROJECT_ROOT
from bot.staff.anonymise import contains_mask
from bot.staff.check import _child, _items, _text, collect_examples, normalise
from bot.staff.inbox_store import (InboxItem, get_item, inbox_db_path, open_items, purge, rating_counts,
                                   retention_days, set_status)

SIMILAR = 80
TOPIC_NAME = re.compile(r"^[a-z0-9_]+$")
ANNOTATION = re.compile(r"\[[^\]]*\]\s*[({]")
NEXT_STEPS = ("Nächste Schritte:\n"
              "  bot check    prüft die Daten\n"
              "  bot train    trainiert das neue Modell (etwa 2 Minuten)\n"
              "  bot reload   lädt es in den laufenden Bot")


class Refused(Exception):
    """A German message why nothing was written."""


# --- list -------------------------------------------------------------------------------------

def group_similar(items: Sequence[InboxItem]) -> List[List[InboxItem]]:
    """Groups of similar questions (token set ratio ≥ 80), largest group first."""
    groups: List[List[InboxItem]] = []
    for item in items:
        text = item.text.lower()
        home = next((g for g in groups
                     if any(fuzz.token_set_ratio(text, other.text.lower()) >= SIMILAR for other in g)), None)
        if home is None:
            groups.append([item])
        else:
            home.append(item)
    return sorted(groups, key=lambda g: (-len(g), g[0].id))


def _date(created_at: str) -> str:
    year, month, day = created_at[:10].split("-")
    return f"{day}.{month}.{year}"


def _show_item(item: InboxItem) -> str:
    kind = "👎" if item.kind == "bewertung" else "unbeantwortet"
    return (f"  ID {item.id}  {_date(item.created_at)}  {kind}  „{item.text}“\n"
            f"        nächstes Thema: {item.closest_topic or '–'}")


def list_inbox(db: Path) -> str:
    items = open_items(db)
    out: List[str] = []
    if not items:
        out.append("Keine offenen Fragen im Eingang.")
    else:
        groups = group_similar(items)
        out.append(f"Offene Fragen im Eingang: {len(items)} (ähnliche Fragen stehen zusammen)")
        for number, group in enumerate(groups, 1):
            size = "1 Frage" if len(group) == 1 else f"{len(group)} ähnliche Fragen"
            out += ["", f"Gruppe {number} – {size}:"] + [_show_item(item) for item in group]
        out += ["", "Zuordnen:  bot inbox assign ID THEMA   (die Frage wird Beispielfrage des Themas)",
                "Verwerfen: bot inbox dismiss ID"]
    counts = rating_counts(db)
    if counts:
        out += ["", "Bewertungen je Thema (👍 / 👎):"]
        out += [f"  {topic}: 👍 {good}  👎 {bad}" for topic, (good, bad) in
                sorted(counts.items(), key=lambda kv: (-kv[1][1], kv[0]))]
    return "\n".join(out)


# --- assign -----------------------------------------------------------------------------------

def faq_topics(root: Path) -> List[str]:
    return sorted(p.stem for p in (root / "data" / "nlu" / "faq").glob("*.yml"))


def resolve_topic(root: Path, name: str) -> Path:
    """The topic file for "thema" or "faq/thema"; Refused with close names otherwise."""
    topic = name.strip()
    topic = topic[len("faq/"):] if topic.startswith("faq/") else topic
    path = root / "data" / "nlu" / "faq" / f"{topic}.yml"
    if TOPIC_NAME.match(topic) and path.is_file():
        return path
    close = [match for match, _score, _ in
             process.extract(topic, faq_topics(root), scorer=fuzz.WRatio, limit=3, score_cutoff=50)]
    hint = (f"Meinten Sie: {', '.join(close)}?" if close
            else "Vorhandene Themen: " + ", ".join(faq_topics(root)))
    raise Refused(f"Ein Thema „{name}“ gibt es nicht (keine Datei data/nlu/faq/{topic}.yml). {hint}")


def _flat(text: str) -> str:
    """What the model sees: lowercase, no punctuation."""
    return " ".join(re.sub(r"[^\w\s]|_", " ", text.lower()).split())


def _examples_node(doc: Optional[Node], intent: str) -> ScalarNode:
    for item in _items(_child(doc, "nlu")):
        if _text(_child(item, "intent")) == intent:
            examples = _child(item, "examples")
            if isinstance(examples, ScalarNode) and examples.style == "|":
                return examples
            raise Refused(f"Die Beispielfragen von {intent} stehen nicht in einem Block „examples: |“ – "
                          "bitte die Frage von Hand eintragen.")
    raise Refused(f"In der Datei fehlt „- intent: {intent}“ mit „examples: |“ – erst `bot check` ausführen.")


def _check_duplicates(root: Path, intent: str, text: str) -> None:
    docs: Dict[Path, Optional[Node]] = {}
    for other in sorted((root / "data" / "nlu").rglob("*.yml")):
        try:
            docs[other] = yaml.compose(other.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
    norm = normalise(text)
    for example in collect_examples(root, docs):
        if example.intent == intent and (example.text.lower() == text.lower() or _flat(example.text) == _flat(text)):
            raise Refused(f"Diese Frage steht schon als Beispiel im Thema ({example.file}:{example.line}).")
        if example.intent != intent and example.norm == norm:
            raise Refused(f"Diese Frage steht schon als Beispiel im Thema {example.place} – "
                          "eine Frage darf nur in einem Thema stehen.")


def insert_example(original: str, node: ScalarNode, text: str) -> str:
    """``original`` with one line "- text" after the last line of the ``examples: |`` block."""
    lines = re.findall(r"[^\n]*\n|[^\n]+$", original)  # line numbers as YAML counts them (\n files)
    key_line = node.start_mark.line
    key_indent = len(lines[key_line]) - len(lines[key_line].lstrip(" "))
    last, indent = key_line, " " * (key_indent + 2)
    for number in range(key_line + 1, len(lines)):
        line = lines[number]
        if not line.strip():
            continue
        if len(line) - len(line.lstrip(" ")) <= key_indent:
            break
        last = number
        if line.lstrip(" ").startswith("- "):
            indent = line[: len(line) - len(line.lstrip(" "))]
    newline = "\r\n" if lines[last].endswith("\r\n") else "\n"
    if not lines[last].endswith(("\n", "\r")):  # block ends the file without a final newline
        lines[last] += newline
        new_line = f"{indent}- {text}"
    else:
        new_line = f"{indent}- {text}{newline}"
    return "".join(lines[: last + 1] + [new_line] + lines[last + 1:])


def _verify(new_text: str, intent: str, example: str) -> None:
    data = yaml.safe_load(new_text)
    for item in (data or {}).get("nlu") or []:
        if isinstance(item, dict) and item.get("intent") == intent:
            lines = [ln.strip()[2:].strip() for ln in str(item.get("examples") or "").splitlines()]
            if example in lines:
                return
    raise ValueError("new example not found after writing")


def add_example(root: Path, path: Path, text: str) -> None:
    """Append ``text`` to the topic's examples; restores the file on any failure."""
    intent = f"faq/{path.stem}"
    original_bytes = path.read_bytes()
    original = original_bytes.decode("utf-8")
    try:
        node = _examples_node(yaml.compose(original, Loader=yaml.SafeLoader), intent)
    except yaml.YAMLError:
        raise Refused(f"{path.relative_to(root)} enthält ungültiges YAML – erst `bot check` ausführen "
                      "und den Fehler beheben.") from None
    _check_duplicates(root, intent, text)
    try:
        with open(path, "w", encoding="utf-8", newline="") as handle:
            handle.write(insert_example(original, node, text))
        _verify(path.read_text(encoding="utf-8"), intent, text)
    except Exception as error:  # noqa: BLE001 – whatever happened, the file stays as it was
        path.write_bytes(original_bytes)
        raise Refused(f"Die Frage konnte nicht eingetragen werden ({type(error).__name__}); "
                      f"{path.relative_to(root)} ist unverändert.") from None


def usable_text(item: InboxItem) -> str:
    text = " ".join(item.text.split())
    if contains_mask(text):
        raise Refused("Die Frage enthält entfernte persönliche Daten ([Name], [E-Mail] oder [Telefon]) und "
                      "taugt so nicht als Beispiel. Bitte eine bereinigte Formulierung von Hand in die "
                      "Themen-Datei schreiben (Anleitung: docs/redaktion.md, Abschnitt 2) und die Frage "
                      f"danach verwerfen: bot inbox dismiss {item.id}")
    if ANNOTATION.search(text):
        raise Refused("Die Frage enthält eckige Klammern, die Rasa als Markierung liest – bitte von Hand "
                      f"eintragen und danach verwerfen: bot inbox dismiss {item.id}")
    if not any(char.isalnum() for char in text):
        raise Refused("Die Frage enthält keine Wörter – bitte verwerfen: bot inbox dismiss " + str(item.id))
    return text


def _open_item(db: Path, item_id: int) -> InboxItem:
    item = get_item(db, item_id)
    if item is None:
        raise Refused(f"Eine Frage mit der ID {item_id} gibt es nicht. `bot inbox` zeigt die offenen Fragen.")
    if item.status != "offen":
        where = f" (Thema {item.assigned_topic})" if item.assigned_topic else ""
        raise Refused(f"Frage {item_id} ist schon {item.status}{where}.")
    return item


def assign(root: Path, db: Path, item_id: int, topic: str) -> str:
    path = resolve_topic(root, topic)
    item = _open_item(db, item_id)
    text = usable_text(item)
    add_example(root, path, text)
    set_status(db, item_id, "zugeordnet", path.stem)
    return (f"Frage {item_id} ist jetzt Beispielfrage im Thema {path.stem} "
            f"({path.relative_to(root).as_posix()}, letzte Beispielzeile).\n{NEXT_STEPS}")


def dismiss(db: Path, item_id: int) -> str:
    _open_item(db, item_id)
    set_status(db, item_id, "verworfen")
    return f"Frage {item_id} verworfen."


# --- command ----------------------------------------------------------------------------------

ACTIONS = {"liste": "liste", "assign": "assign", "zuordnen": "assign", "dismiss": "dismiss", "verwerfen": "dismiss"}


def _parse_id(value: str) -> int:
    if not value.lstrip("#").isdigit():
        raise Refused(f"„{value}“ ist keine ID – die ID ist die Zahl vorne in der Liste von `bot inbox`.")
    return int(value.lstrip("#"))


def run(action: str, rest: List[str], root: Path, db: Path) -> Tuple[int, str]:
    if action == "liste" and not rest:
        return 0, list_inbox(db)
    if action == "assign" and len(rest) == 2:
        return 0, assign(root, db, _parse_id(rest[0]), rest[1])
    if action == "dismiss" and len(rest) == 1:
        return 0, dismiss(db, _parse_id(rest[0]))
    return 2, "Aufruf: bot inbox | bot inbox assign ID THEMA | bot inbox dismiss ID"


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="bot inbox", description="Unbeantwortete und schlecht bewertete Fragen.")
    parser.add_argument("action", nargs="?", default="liste", choices=sorted(ACTIONS),
                        help="assign ID THEMA: als Beispielfrage zuordnen; dismiss ID: verwerfen")
    parser.add_argument("rest", nargs="*", help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, default=PROJECT_ROOT, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_intermixed_args(argv)
    db = args.db or inbox_db_path()
    purge(db, retention_days())
    try:
        code, message = run(ACTIONS[args.action], args.rest, args.root, db)
    except Refused as refused:
        print(f"Nicht ausgeführt: {refused}", file=sys.stderr)
        return 1
    print(message, file=sys.stdout if code == 0 else sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
