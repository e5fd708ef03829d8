"""Summarise `rasa test nlu --cross-validation` results: macro F1 and most confused pairs.

Reads ``results/cv/intent_report.json``, ``response_selection_report.json`` and the error
files Rasa writes, prints a short table and (``--markdown FILE``) writes it as Markdown.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from bot.config import PROJECT_ROOT

DEFAULT_DIR = PROJECT_ROOT / "results" / "cv"
HISTORY_MARKER = "## Verlauf"
CV_HEADING = "## Kreuzvalidierung"  # what comes before it (the held-out section) is kept, too


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def macro_f1(report: Optional[Dict[str, Any]]) -> Optional[float]:
    if not report:
        return None
    return float(report.get("macro avg", {}).get("f1-score", 0.0))


def confused_pairs(errors: Optional[List[Dict[str, Any]]], key: str) -> List[Tuple[str, str, int]]:
    """(true, predicted, count), most frequent first, from Rasa's ``*_errors.json``.

    ``key`` is ``"intent_prediction"`` for intent errors, anything else for response selection.
    """
    counts: Counter = Counter()
    for error in errors or []:
        if key == "intent_prediction":
            pair = (error.get("intent"), (error.get("intent_prediction") or {}).get("name"))
        else:
            pair = (error.get("intent_response_key_target"),
                    (error.get("intent_response_key_prediction") or {}).get("name"))
        counts[pair] += 1
    return [(true, predicted, n) for (true, predicted), n in counts.most_common()]


def weakest(report: Optional[Dict[str, Any]], limit: int = 5) -> List[Tuple[str, float, int]]:
    rows = [
        (label, float(values["f1-score"]), int(values["support"]))
        for label, values in (report or {}).items()
        if isinstance(values, dict) and "f1-score" in values and label not in
        ("macro avg", "weighted avg", "micro avg", "accuracy")
    ]
    return sorted(rows, key=lambda row: row[1])[:limit]


def render(results: Path) -> str:
    intents = _load(results / "intent_report.json")
    responses = _load(results / "response_selection_report.json")
    n_intents = len([k for k in (intents or {}) if k not in ("accuracy", "macro avg", "weighted avg", "micro avg")])
    n_topics = len([k for k in (responses or {}) if k not in ("accuracy", "macro avg", "weighted avg", "micro avg")])
    lines = [
        CV_HEADING,
        "",
        f"5-fache Kreuzvalidierung (`make cv`), Stand {date.today():%d.%m.%Y}: "
        f"{n_intents} Intents, {n_topics} FAQ-Themen (Antwortauswahl). Ziel: Makro-F1 ≥ 0,95.",
        "",
        "| Messgröße | Wert |",
        "| --- | --- |",
    ]
    for name, report in (("Intents, Makro-F1", intents), ("FAQ-Antwortauswahl, Makro-F1", responses)):
        value = macro_f1(report)
        lines.append(f"| {name} | {value:.3f} |" if value is not None else f"| {name} | – |")
    lines += ["", "Am häufigsten verwechselt (tatsächlich → vorhergesagt, Anzahl):", ""]
    pairs = confused_pairs(_load(results / "intent_errors.json"), "intent_prediction")
    pairs += confused_pairs(_load(results / "response_selection_errors.json"), "response")
    pairs.sort(key=lambda row: -row[2])
    lines += [f"- {t} → {p}: {n}" for t, p, n in pairs[:10]] or ["- keine"]
    for title, report in (("Schwächste Intents", intents), ("Schwächste FAQ-Themen", responses)):
        lines += ["", f"{title} (F1, Beispiele):", ""]
        lines += [f"- {label}: {f1:.3f} ({support})" for label, f1, support in weakest(report)]
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--results", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args(argv)
    text = render(args.results)
    print(text)
    if args.markdown:
        # everything from the history marker on is kept (hand-written notes on earlier runs)
        old = args.markdown.read_text(encoding="utf-8") if args.markdown.exists() else ""
        head = old[:old.index(CV_HEADING)] if CV_HEADING in old else "# NLU-Qualität\n\n"
        kept = old[old.index(HISTORY_MARKER):] if HISTORY_MARKER in old else ""
        args.markdown.write_text(head + text + "\n\n" + kept, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
