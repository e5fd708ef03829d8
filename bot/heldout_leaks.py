"""Held-out questions are scored only where no training example (nearly) copies them.

    python -m bot.heldout_leaks            # list the pairs; exit 1 with --strict when any is found

The training data serves the users: short canonical questions ("gewerbe anmelden", "rückruf
bitte") and the questions the bot's own buttons send must stay in it, and some held-out questions
say the same words. Such a question is not unseen, so the evaluation leaves it out
(``split_seen``) and reports how many it left out – the accuracy is measured on the rest only.

"Nearly" = rapidfuzz ratio ≥ 90 on lowercased, umlaut-folded text without punctuation, so a copy
with a fixed typo or changed punctuation still counts. One-word questions ("Moin", "Neustart",
"Magdeburg") are left out: the bot must know such words from training, they test the plumbing.
The generated directory synonyms (data/nlu/generated/) are place and topic names, not questions.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

import yaml
from rapidfuzz import fuzz, process

from bot.config import PROJECT_ROOT
from bot.heldout import Question, load_questions
from bot.nlp.text_features import normalise

NLU_DIR = PROJECT_ROOT / "data" / "nlu"
HELDOUT_DIRS = (PROJECT_ROOT / "tests" / "heldout", PROJECT_ROOT / "tests" / "heldout_final")
THRESHOLD = 90.0
_EXAMPLE = re.compile(r"^\s*-\s+(.*\S)\s*$")


def _comparable(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", normalise(text)).split())


def training_examples(nlu_dir: Path = NLU_DIR) -> List[Tuple[str, str]]:
    """(file, example) for every example line in the NLU files."""
    found = []
    for path in sorted(nlu_dir.rglob("*.yml")):
        if "generated" in path.parts:
            continue
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in document.get("nlu") or []:
            for line in str(block.get("examples") or "").splitlines():
                match = _EXAMPLE.match(line)
                if match:
                    found.append((str(path.relative_to(nlu_dir.parent.parent)), match.group(1)))
    return found


def leaks(questions: Sequence[str], examples: Sequence[Tuple[str, str]],
          threshold: float = THRESHOLD) -> List[Tuple[str, str, str, float]]:
    """(question, file, example, score) for every held-out question a training example copies."""
    choices = [_comparable(text) for _, text in examples]
    pairs = []
    for question in questions:
        if len(_comparable(question).split()) < 2:
            continue
        best = process.extractOne(_comparable(question), choices, scorer=fuzz.ratio, score_cutoff=threshold)
        if best is not None:
            _, score, index = best
            pairs.append((question, examples[index][0], examples[index][1], score))
    return pairs


def split_seen(questions: Sequence[Question], examples: Sequence[Tuple[str, str]],
               threshold: float = THRESHOLD) -> Tuple[List[Question], List[Question]]:
    """(unseen, seen): a question is seen when a training example nearly copies its text."""
    copied = {question for question, *_ in leaks([q.text for q in questions], examples, threshold)}
    return [q for q in questions if q.text not in copied], [q for q in questions if q.text in copied]


def heldout_questions() -> List[str]:
    """Every held-out question and every message asked before one (``before``), both sets."""
    questions = []
    for folder in HELDOUT_DIRS:
        for question in load_questions(folder):
            questions += [question.text, *question.before]
    return questions


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=THRESHOLD)
    parser.add_argument("--strict", action="store_true", help="Exit-Code 1, sobald ein Paar gefunden wird")
    args = parser.parse_args(argv)
    questions = heldout_questions()
    found = leaks(questions, training_examples(), args.threshold)
    for question, path, example, score in found:
        print(f"{path}: „{example}“ ≈ held-out „{question}“ ({score:.0f})")
    print(f"{len(found)} Treffer bei {len(questions)} Held-out-Fragen (diese werden nicht gewertet).")
    return 1 if found and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
