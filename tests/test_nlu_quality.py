import json
from pathlib import Path

from bot.nlu_quality import confused_pairs, macro_f1, render, weakest


def write_results(folder: Path) -> None:
    (folder / "intent_report.json").write_text(json.dumps({
        "greet": {"precision": 1.0, "recall": 0.9, "f1-score": 0.947, "support": 20},
        "faq": {"precision": 0.95, "recall": 1.0, "f1-score": 0.974, "support": 40},
        "accuracy": 0.96,
        "macro avg": {"precision": 0.97, "recall": 0.95, "f1-score": 0.9605, "support": 60},
    }))
    (folder / "intent_errors.json").write_text(json.dumps([
        {"text": "servus", "intent": "greet", "intent_prediction": {"name": "faq", "confidence": 0.4}},
        {"text": "moin", "intent": "greet", "intent_prediction": {"name": "faq", "confidence": 0.3}},
    ]))
    (folder / "response_selection_report.json").write_text(json.dumps({
        "faq/a": {"f1-score": 1.0, "support": 5}, "macro avg": {"f1-score": 0.99, "support": 5},
    }))
    (folder / "response_selection_errors.json").write_text(json.dumps([
        {"text": "x", "intent_response_key_target": "faq/a",
         "intent_response_key_prediction": {"name": "faq/b", "confidence": 0.6}},
    ]))


def test_summary_reports_macro_f1_and_confusions(tmp_path: Path) -> None:
    write_results(tmp_path)
    text = render(tmp_path)
    assert "| Intents, Makro-F1 | 0.961 |" in text
    assert "| FAQ-Antwortauswahl, Makro-F1 | 0.990 |" in text
    assert "- greet → faq: 2" in text and "- faq/a → faq/b: 1" in text
    assert "2 Intents, 1 FAQ-Themen" in text
    assert "Schwächste FAQ-Themen (F1, Beispiele):\n\n- faq/a: 1.000 (5)" in text


def test_helpers_handle_missing_reports() -> None:
    assert macro_f1(None) is None
    assert confused_pairs(None, "intent_prediction") == []
    assert weakest(None) == []


def test_markdown_keeps_the_heldout_section_and_the_history(tmp_path: Path) -> None:
    from bot.nlu_quality import main
    write_results(tmp_path)
    doc = tmp_path / "nlu-quality.md"
    doc.write_text("# NLU-Qualität\n\n## Held-out-Fragen\n\n94 %\n\n## Kreuzvalidierung\n\nalt 0.5\n\n"
                   "## Verlauf\n\n| 1 | 0.9 |\n", encoding="utf-8")
    assert main(["--results", str(tmp_path), "--markdown", str(doc)]) == 0
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# NLU-Qualität\n\n## Held-out-Fragen\n\n94 %")
    assert "alt 0.5" not in text and "| Intents, Makro-F1 | 0.961 |" in text
    assert text.count("## Kreuzvalidierung") == 1 and text.endswith("## Verlauf\n\n| 1 | 0.9 |\n")
