"""Held-out evaluation: questions the model never saw (tests/heldout/), asked over the REST channel
of a running bot; each judged by what the bot *did* (answer topic, form, action – read from the
tracker) and, where the question says so, by the Land, place and language of the reply.

    python -m bot.heldout --url http://127.0.0.1:5005 --markdown docs/heldout.md
    python -m bot.heldout --start            # starts its own bot stack first

Outcome names: tests/heldout/README.md. "Right" = the outcome is one of ``expect`` and the reply
passes the ``land``/``place``/``lang`` checks.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.parse
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import requests
import yaml

from bot.config import PROJECT_ROOT, load_settings
from bot.directory.local_services import local_service
from bot.directory.sources import load_directory
from bot.land_markers import Markers, foreign_markers, land_markers
from bot.nlp.reply_language import reply_language

HELDOUT_DIR = PROJECT_ROOT / "tests" / "heldout"
# Responses whose action name says the outcome (checked in this order; first hit wins).
UTTER_OUTCOMES: Tuple[Tuple[str, str], ...] = (
    ("utter_greet", "greet"), ("utter_goodbye", "goodbye"), ("utter_thanks", "thanks"),
    ("utter_help", "help"), ("utter_iamabot", "bot_challenge"), ("utter_out_of_scope", "out_of_scope"),
    ("utter_other_language", "other_language"), ("utter_restarted", "start_over"),
    ("utter_nothing_to_cancel", "cancel"), ("action_cancel_form", "cancel"),
    ("utter_nlu_fallback", "fallback"),
)


@dataclass(frozen=True)
class Question:
    area: str
    text: str
    expect: Tuple[str, ...]
    land: Optional[str] = None
    place: Optional[str] = None
    lang: Optional[str] = None
    before: Tuple[str, ...] = ()
    tags: Tuple[str, ...] = ()


@dataclass
class Result:
    question: Question
    outcome: str
    replies: List[str] = field(default_factory=list)
    problems: List[str] = field(default_factory=list)

    @property
    def right(self) -> bool:
        return not self.problems


def load_questions(folder: Path = HELDOUT_DIR) -> List[Question]:
    questions: List[Question] = []
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in data.get("questions") or []:
            expect = item["expect"] if isinstance(item["expect"], list) else [item["expect"]]
            questions.append(Question(
                area=str(data.get("area") or path.stem), text=str(item["q"]), expect=tuple(map(str, expect)),
                land=item.get("land"), place=item.get("place"), lang=item.get("lang"),
                before=tuple(map(str, item.get("before") or ())), tags=tuple(map(str, item.get("tags") or ()))))
    return questions


def turn_events(events: Sequence[Dict[str, Any]], users_before: int) -> Tuple[Dict[str, Any], List[Dict[str, Any]]]:
    """The user event of this turn (the ``users_before``-th + 1) and everything after it; ``{}`` if the
    channel answered without passing the message on."""
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    if len(users) <= users_before:
        return {}, []
    index = users[users_before]
    return events[index], list(events[index + 1:])


def faq_topic(parse_data: Dict[str, Any]) -> Optional[str]:
    selectors = parse_data.get("response_selector") or {}
    selector = selectors.get("faq") or selectors.get("default") or {}
    key = (selector.get("response") or {}).get("intent_response_key")
    return f"faq/{key.split('/', 1)[1]}" if isinstance(key, str) and "/" in key else None


def outcome_of(user: Dict[str, Any], after: List[Dict[str, Any]]) -> str:
    """What the bot did with the message, in the outcome names of tests/heldout/README.md."""
    if not user:  # the channel answered by itself (empty or emoji-only message): a hint what to write
        return "input_hint"
    if any(e.get("event") == "restart" for e in after):
        return "start_over"
    actions = [e.get("name") for e in after if e.get("event") == "action"]
    requested = [e.get("value") for e in after if e.get("event") == "slot" and e.get("name") == "requested_slot"]
    intent = ((user.get("parse_data") or {}).get("intent") or {}).get("name")
    searched = any(e.get("event") == "slot" and e.get("name") == "foerder_suche" for e in after)
    if "action_answer_faq" in actions and searched:  # overview topic, but the question named Land/kind
        return "funding_results"
    if "action_answer_faq" in actions:
        return faq_topic(user.get("parse_data") or {}) or "faq/?"
    if "action_funding_results" in actions:
        return "funding_results"
    if "action_find_contact" in actions:
        return "contact"
    if "action_privacy" in actions or ("action_answer_side_request" in actions and intent == "ask_privacy"):
        return "privacy"
    if "action_human_handover" in actions or ("action_answer_side_request" in actions
                                              and intent == "human_handover"):
        return "human"
    if "rueckruf_einwilligung" in requested:
        return "callback"
    if any(str(slot).startswith("foerder_") for slot in requested if slot):
        return "funding_form"
    if "ort" in requested or "action_ask_ort" in actions:
        return "ask_place"
    for name, outcome in UTTER_OUTCOMES:
        if name in actions:
            return outcome
    return f"other:{','.join(a for a in actions if a != 'action_listen') or 'nothing'}"


@dataclass
class Judge:
    markers: Dict[str, Markers]
    directory_db: Path

    def problems(self, q: Question, outcome: str, replies: List[str]) -> List[str]:
        found: List[str] = []
        expect = set(q.expect) | ({"input_hint"} if {"help", "out_of_scope"} & set(q.expect) else set())
        if outcome not in expect:
            found.append(f"Ergebnis {outcome}, erwartet {' oder '.join(q.expect)}")
        text = "\n".join(replies)
        first_line = (replies[0] if replies else "").split("\n")[0]
        if q.lang == "en" and reply_language(first_line) != "en":
            found.append("Antwort nicht auf Englisch")
        if q.land and q.land in self.markers:
            foreign = foreign_markers(q.land, text, [], self.markers)
            if foreign:
                found.append(f"andere Länder in der Antwort: {'; '.join(foreign[:3])}")
        if q.place and outcome.startswith("faq/"):
            service = local_service(self.directory_db, q.place)
            if service is not None and service.url not in text:
                found.append(f"eigene Stelle von {q.place} fehlt ({service.url})")
            elif service is None and q.place.split(" (")[0] not in text:
                found.append(f"{q.place} wird nicht genannt")
        return found


class Client:
    """REST channel + tracker API of one running bot."""

    def __init__(self, url: str, token: str, timeout: float = 60) -> None:
        self.url, self.token, self.timeout = url.rstrip("/"), token, timeout
        self.session = requests.Session()

    def say(self, sender: str, text: str) -> List[Dict[str, Any]]:
        reply = self.session.post(f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
                                  timeout=self.timeout)
        reply.raise_for_status()
        return reply.json()

    def events(self, sender: str) -> List[Dict[str, Any]]:
        reply = self.session.get(f"{self.url}/conversations/{urllib.parse.quote(sender)}/tracker",
                                 params={"token": self.token, "include_events": "ALL"}, timeout=self.timeout)
        reply.raise_for_status()
        return reply.json().get("events") or []


def ask(client: Client, judge: Judge, q: Question) -> Result:
    sender = f"heldout-{uuid.uuid4().hex[:12]}"
    for earlier in q.before:
        client.say(sender, earlier)
    users_before = sum(e.get("event") == "user" for e in client.events(sender)) if q.before else 0
    replies = [m.get("text") or "" for m in client.say(sender, q.text)]
    user, after = turn_events(client.events(sender), users_before)
    outcome = outcome_of(user, after)
    return Result(q, outcome, replies, judge.problems(q, outcome, replies))


def evaluate(url: str, token: str, questions: Sequence[Question], workers: int = 4) -> List[Result]:
    judge = Judge(land_markers(load_directory()), load_settings().directory_db)
    client = Client(url, token)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda q: ask(client, judge, q), questions))


def accuracy(results: Sequence[Result]) -> float:
    return sum(r.right for r in results) / len(results) if results else 0.0


def markdown(results: Sequence[Result], title: str = "Held-out-Fragen", seen: int = 0) -> str:
    by_area: Dict[str, List[Result]] = defaultdict(list)
    by_tag: Dict[str, List[Result]] = defaultdict(list)
    for r in results:
        by_area[r.question.area].append(r)
        for tag in r.question.tags:
            by_tag[tag].append(r)
    lines = [f"## {title}", "",
             f"{len(results)} Fragen, **{accuracy(results):.1%} richtig** (richtige Antwort oder richtiger "
             f"nächster Schritt; Land, Ort und Sprache der Antwort mitgeprüft).", ""]
    if seen:
        lines += [f"{seen} weitere Fragen nicht gewertet: ein Trainingsbeispiel wiederholt sie fast wörtlich "
                  "(bot/heldout_leaks.py).", ""]
    lines += ["| Bereich | Fragen | richtig |", "| --- | ---: | ---: |"]
    lines += [f"| {area} | {len(rs)} | {accuracy(rs):.1%} |" for area, rs in sorted(by_area.items())]
    lines += ["", "| Stil | Fragen | richtig |", "| --- | ---: | ---: |"]
    lines += [f"| {tag} | {len(rs)} | {accuracy(rs):.1%} |" for tag, rs in sorted(by_tag.items())]
    kinds = Counter(p.split(",")[0].split(":")[0] for r in results for p in r.problems)
    if kinds:
        lines += ["", "Fehlerarten: " + ", ".join(f"{k} ({n})" for k, n in kinds.most_common())]
    return "\n".join(lines) + "\n"


def failures(results: Sequence[Result]) -> List[Dict[str, Any]]:
    return [{"area": r.question.area, "q": r.question.text, "expect": list(r.question.expect),
             "outcome": r.outcome, "problems": r.problems} for r in results if not r.right]


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Held-out-Fragen gegen den laufenden Bot auswerten")
    parser.add_argument("--url", help="Rasa-Adresse (Standard: GL_RASA_PORT auf GL_HOST)")
    parser.add_argument("--start", action="store_true", help="eigenen Bot-Stack starten (Modell: make train)")
    parser.add_argument("--markdown", type=Path, help="Bericht als Markdown hierhin schreiben")
    parser.add_argument("--failures", type=Path, help="falsch beantwortete Fragen als JSON hierhin")
    parser.add_argument("--folder", type=Path, default=HELDOUT_DIR,
                        help="Fragen-Ordner (Standard tests/heldout; die finale Messung: tests/heldout_final)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--all", action="store_true",
                        help="auch Fragen werten, die ein Trainingsbeispiel fast wörtlich wiederholt")
    args = parser.parse_args(argv)
    from bot.heldout_leaks import split_seen, training_examples

    questions, seen = load_questions(args.folder), []
    if not args.all:
        questions, seen = split_seen(questions, training_examples())
    settings = load_settings()
    stack = None
    if args.start:
        from bot.serve import start_stack
        from bot.train import model_path

        stack = start_stack(settings, model_path())
    try:
        from bot.tokens import api_token

        results = evaluate(args.url or settings.rasa_url, api_token(settings), questions, args.workers)
    finally:
        if stack is not None:
            stack.stop()
    report = markdown(results, seen=len(seen))
    print(report)
    if args.markdown:
        args.markdown.write_text(report, encoding="utf-8")
    if args.failures:
        args.failures.write_text(json.dumps(failures(results), ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
