"""The held-out questions are never trained on: no training example copies one (bot/heldout_leaks.py)."""

from __future__ import annotations

from pathlib import Path

from bot.heldout_leaks import heldout_questions, leaks, training_examples


def test_no_training_example_copies_a_heldout_question() -> None:
    found = leaks(heldout_questions(), training_examples())
    assert found == [], "\n".join(f"{path}: {example!r} ≈ {question!r}" for question, path, example, _ in found)


def test_near_copies_count_and_one_word_questions_do_not(tmp_path: Path) -> None:
    (tmp_path / "faq").mkdir()
    (tmp_path / "faq" / "gewerbe.yml").write_text(
        'version: "3.1"\nnlu:\n  - intent: faq/gewerbeanmeldung\n    examples: |\n'
        "      - Wie melde ich ein Gewerbe an\n      - Moin\n      - Was kostet ein Gewerbeschein in Halle?\n",
        encoding="utf-8")
    examples = training_examples(tmp_path)
    assert len(examples) == 3
    found = leaks(["Wie meld ich ein Gewerbe an?", "Moin!", "Welche Förderung passt zu mir?"], examples)
    assert [(question, example) for question, _, example, _ in found] == [
        ("Wie meld ich ein Gewerbe an?", "Wie melde ich ein Gewerbe an")]
