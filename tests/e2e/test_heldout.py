"""Held-out questions (never trained on) against the real bot over REST: right answer or right next
step, Land/place/language of the reply checked (bot/heldout.py). Reports per area go to
tests/artifacts/; the measured numbers and their history are in docs/nlu-quality.md."""

from pathlib import Path
from typing import Dict, List

import pytest

from bot.config import PROJECT_ROOT
from bot.heldout import HELDOUT_DIR, Result, accuracy, evaluate, load_questions, markdown
from bot.heldout_leaks import split_seen, training_examples
from bot.serve import Stack

pytestmark = pytest.mark.e2e

FINAL_DIR = PROJECT_ROOT / "tests" / "heldout_final"
ARTIFACTS = PROJECT_ROOT / "tests" / "artifacts"
# Issue 12 goal: 95 % right answer or right next step. Measured 5.12.2026 (docs/nlu-quality.md):
# final set (its first run against the bot) 95.7 %, development set 94.2 %. The test guards those
# results: a floor a few questions below the measurement per set, and no area below AREA_FLOOR
# (a collapse of one area would hide in the total).
FLOORS = {"heldout": 0.93, "heldout_final": 0.945}
AREA_FLOOR = 0.75


def by_area(results: List[Result]) -> Dict[str, float]:
    areas: Dict[str, List[Result]] = {}
    for r in results:
        areas.setdefault(r.question.area, []).append(r)
    return {area: accuracy(rs) for area, rs in areas.items()}


@pytest.mark.parametrize("folder", [HELDOUT_DIR, FINAL_DIR], ids=["entwicklung", "final"])
def test_heldout_questions_get_the_right_answer(stack: Stack, folder: Path) -> None:
    # Only questions no training example nearly copies are scored (bot/heldout_leaks.py).
    questions, seen = split_seen(load_questions(folder), training_examples())
    assert len(questions) >= 250
    results = evaluate(stack.settings.rasa_url, stack.token, questions, workers=2)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"heldout-{folder.name}.md").write_text(markdown(results, seen=len(seen)), encoding="utf-8")
    areas = by_area(results)
    assert accuracy(results) >= FLOORS[folder.name], markdown(results)
    assert min(areas.values()) >= AREA_FLOOR, areas
