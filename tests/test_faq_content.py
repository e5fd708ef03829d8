"""Every FAQ topic file: enough examples, a short answer with official sources and a Stand date."""

import json
import re
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml

from bot.config import PROJECT_ROOT

FAQ_DIR = PROJECT_ROOT / "data" / "nlu" / "faq"
FILES = sorted(FAQ_DIR.glob("*.yml"))
URL = re.compile(r"https://\S+?(?=,\s|\s|$)")
MAX_CORE_CHARS = 600


def load(path: Path) -> Dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def examples(data: Dict[str, Any]) -> List[str]:
    block = data["nlu"][0]["examples"]
    return [line.strip()[2:] for line in block.splitlines() if line.strip().startswith("- ")]


def test_there_are_faq_topics() -> None:
    assert len(FILES) >= 30


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_topic_file_is_complete(path: Path) -> None:
    data = load(path)
    intent = data["nlu"][0]["intent"]
    assert intent == f"faq/{path.stem}", "file name and intent must match"
    assert len(examples(data)) >= 15
    variants = data["responses"][f"utter_{intent}"]
    unconditional = [v for v in variants if not v.get("condition")]
    assert len(unconditional) == 1, "exactly one answer for users whose Land is unknown"
    for answer in variants:
        for condition in answer.get("condition", []):
            assert condition["type"] == "slot" and condition["name"] == "land"
            assert condition["value"] in ("Sachsen", "Sachsen-Anhalt", "Thüringen")
        check_answer(answer)


def check_answer(answer: Dict[str, Any]) -> None:
    text: str = answer["text"]
    core, _, tail = text.partition("\nQuelle")
    assert tail, "answer needs a 'Quelle(n):' line"
    assert len(core) <= MAX_CORE_CHARS, f"core answer has {len(core)} characters"
    assert re.search(r"\nStand: (Januar|Februar|März|April|Mai|Juni|Juli|August|September|"
                     r"Oktober|November|Dezember) 20\d\d$", text), "answer must end with a Stand line"
    sources_line = text.split("\n")[-2]
    urls = URL.findall(sources_line)
    assert urls, "at least one https source"
    meta = answer["metadata"]
    assert meta["owner"] and re.fullmatch(r"20\d\d-(0[1-9]|1[0-2])", str(meta["stand"]))
    assert [u.rstrip(",") for u in urls] == meta["sources"]


def test_no_example_appears_in_two_intents() -> None:
    owner: Dict[str, str] = {}
    for path in sorted((PROJECT_ROOT / "data" / "nlu").rglob("*.yml")):
        for item in [i for i in load(path).get("nlu", []) if "intent" in i]:
            for line in item["examples"].splitlines():
                if not line.strip().startswith("- "):
                    continue
                key = re.sub(r"\W+", " ", line.strip()[2:].lower()).strip()
                assert owner.setdefault(key, item["intent"]) == item["intent"], (path, line)


def test_button_payloads_point_to_known_questions() -> None:
    """A button sends a text that is a training example (so the model knows it) or an intent
    payload ``/intent{"entity": "value"}`` whose intent and entities the domain declares."""
    known = set()
    for path in sorted((PROJECT_ROOT / "data" / "nlu").rglob("*.yml")):
        for item in [i for i in load(path).get("nlu", []) if "intent" in i]:
            known.update(line.strip()[2:] for line in item["examples"].splitlines()
                         if line.strip().startswith("- "))
    domain = load(PROJECT_ROOT / "domain.yml")
    responses: Dict[str, Any] = dict(domain["responses"])
    for path in FILES:
        responses.update(load(path)["responses"])
    for name, variants in responses.items():
        if name.startswith("utter_ask_"):
            continue  # answers to a form's question: the form reads them (actions/), not the model
        for variant in variants:
            for button in variant.get("buttons", []):
                payload = button["payload"]
                intent_payload = re.fullmatch(r"/(\w+)(\{.*\})?", payload)
                if intent_payload:
                    assert intent_payload.group(1) in domain["intents"], (name, payload)
                    entities = json.loads(intent_payload.group(2) or "{}")
                    assert set(entities) <= set(domain["entities"]), (name, payload)
                else:
                    assert payload in known, (name, payload)
