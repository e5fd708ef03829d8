"""Every user message in tests/test_stories.yml gets the intent and FAQ topic the story names.

`rasa test core` checks the bot's actions; for a FAQ every topic runs the same action
(`utter_faq`), so a wrong topic would pass there. This test asks the trained model directly.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import List, Tuple

import pytest
import yaml
from rasa.core.agent import Agent

from bot.config import PROJECT_ROOT

STORIES = PROJECT_ROOT / "tests" / "test_stories.yml"
ENTITY_MARKUP = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")  # "[Görlitz](ort)" → "Görlitz"


def story_messages() -> List[Tuple[str, str]]:
    """(user text, expected intent or faq/<topic>) for every user step with a text."""
    stories = yaml.safe_load(STORIES.read_text(encoding="utf-8"))["stories"]
    return [(ENTITY_MARKUP.sub(r"\1", str(step["user"])).strip(), str(step["intent"]))
            for story in stories for step in story["steps"]
            if "user" in step and "intent" in step and not str(step["user"]).strip().startswith("/")]


def test_stories_cover_every_faq_topic() -> None:
    topics = {path.stem for path in (PROJECT_ROOT / "data" / "nlu" / "faq").glob("*.yml")}
    named = {expected.split("/", 1)[1] for _, expected in story_messages() if expected.startswith("faq/")}
    assert topics and topics <= named, sorted(topics - named)


@pytest.fixture(scope="module")
def agent(model_path: Path) -> Agent:
    return Agent.load(str(model_path))


def test_model_gives_each_story_message_its_intent_and_topic(agent: Agent) -> None:
    async def predict(text: str) -> str:
        parsed = await agent.parse_message(text)
        intent = parsed["intent"]["name"]
        if intent != "faq":
            return intent
        selector = parsed["response_selector"]
        return (selector.get("faq") or selector["default"])["response"]["intent_response_key"]

    wrong = [(text, expected, got) for text, expected in story_messages()
             if (got := asyncio.run(predict(text))) != expected]
    assert not wrong, "\n".join(f"{text!r}: erwartet {expected}, erkannt {got}" for text, expected, got in wrong)
