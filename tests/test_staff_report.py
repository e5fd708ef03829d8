"""`bot report`: HTML page from cross-validation results; clear message when they are missing."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any, Dict

import pytest

from bot.staff.report import build_report, main


def scores(f1: float, support: int) -> Dict[str, Any]:
    return {"precision": f1, "recall": f1, "f1-score": f1, "support": support, "confused_with": {}}


@pytest.fixture()
def results(tmp_path: Path) -> Path:
    folder = tmp_path / "cv"
    folder.mkdir()
    files = {
        "intent_report.json": {"greet": scores(0.95, 40), "faq": scores(0.9, 300), "accuracy": 0.91,
                               "macro avg": scores(0.925, 340), "weighted avg": scores(0.9, 340)},
        "response_selection_report.json": {
            "faq/invest": scores(0.97, 25), "faq/tgfs": scores(0.6, 20), "faq/thex": scores(0.75, 20),
            "accuracy": 0.8, "macro avg": scores(0.773, 65), "weighted avg": scores(0.8, 65)},
        "intent_errors.json": [{"text": "moin", "intent": "greet",
                                "intent_prediction": {"name": "faq", "confidence": 0.4}}],
        "response_selection_errors.json": [
            {"text": f"frage {i}", "intent_response_key_target": "faq/tgfs",
             "intent_response_key_prediction": {"name": "faq/thex", "confidence": 0.5}} for i in range(6)
        ] + [{"text": "x", "intent_response_key_target": "faq/thex",
              "intent_response_key_prediction": {"name": "faq/invest", "confidence": 0.5}}],
    }
    for name, content in files.items():
        (folder / name).write_text(json.dumps(content), encoding="utf-8")
    return folder


def test_report_lists_topics_worst_first_with_plot(results: Path, tmp_path: Path) -> None:
    html = build_report(results, tmp_path / "out" / "bericht.html").read_text(encoding="utf-8")
    assert '<html lang="de">' in html and "Qualitätsbericht" in html
    assert "0,925" in html and "0,773" in html  # macro F1 of intents and topics
    assert html.index("faq/tgfs") < html.index("faq/thex") < html.index("faq/invest")
    assert html.count('class="weak"') == 2  # tgfs and thex below 0.8
    assert re.search(r"<td>faq/tgfs</td><td>faq/thex</td><td>6</td>", html)
    image = re.search(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]+)"', html)
    assert image and base64.b64decode(image.group(1)).startswith(b"\x89PNG")
    assert "faq/tgfs" in image.group(2)


def test_main_writes_the_page(results: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "bericht.html"
    assert main(["--results", str(results), "--out", str(out)]) == 0
    assert out.exists() and str(out) in capsys.readouterr().out


def test_missing_results_say_run_make_cv(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["--results", str(tmp_path / "nichts"), "--out", str(tmp_path / "b.html")]) == 1
    assert "make cv" in capsys.readouterr().err
    assert not (tmp_path / "b.html").exists()
