"""`bot report`: an HTML page on NLU quality from the cross-validation results (`make cv`).

Reuses the parsing in :mod:`bot.nlu_quality`; the page is self-contained (inline CSS,
confusion plot embedded as base64 PNG) and can be mailed or opened from disk.
"""

from __future__ import annotations

import argparse
import base64
import io
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import jinja2

from bot.config import PROJECT_ROOT
from bot.nlu_quality import DEFAULT_DIR, _load, confused_pairs, macro_f1, weakest

DEFAULT_OUT = PROJECT_ROOT / "results" / "bericht.html"
WEAK_F1 = 0.8
MAX_PAIRS = 15
MISSING = ("Keine Ergebnisse der Kreuzvalidierung in {path} gefunden. "
           "Bitte zuerst `make cv` ausführen (dauert etwa 10 Minuten), dann `bot report` erneut.")

TEMPLATE = """<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gründungslotse – Qualitätsbericht {{ today }}</title>
<style>
 body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
        color: #1a1a1a; line-height: 1.45; }
 table { border-collapse: collapse; margin: 1rem 0; }
 th, td { border: 1px solid #bbb; padding: .3rem .6rem; text-align: right; }
 th:first-child, td:first-child { text-align: left; }
 thead th { background: #eee; }
 tr.weak td { background: #fde2e1; font-weight: 600; }
 .big { font-size: 1.4rem; font-weight: 700; }
 img { max-width: 100%; height: auto; border: 1px solid #ddd; }
 .note { color: #555; font-size: .9rem; }
</style>
</head>
<body>
<h1>Gründungslotse – Qualitätsbericht</h1>
<p>Erstellt am {{ today }}{% if run_date %} aus der Kreuzvalidierung vom {{ run_date }}{% endif %}.
Der Bot wurde fünfmal mit vier Fünfteln der Beispielfragen trainiert und mit dem restlichen Fünftel
geprüft. F1 = 1 heißt: alle Fragen richtig erkannt.</p>

<h2>Überblick</h2>
<table>
 <thead><tr><th>Messgröße</th><th>Makro-F1</th></tr></thead>
 <tbody>
  <tr><td>Art der Frage (Intents)</td><td class="big">{{ intent_f1 }}</td></tr>
  <tr><td>FAQ-Themen (welche Antwort)</td><td class="big">{{ topic_f1 }}</td></tr>
 </tbody>
</table>

<h2>FAQ-Themen, schwächste zuerst</h2>
{% if topics %}
<p>Rot markiert: F1 unter {{ weak }} – hier helfen mehr und klarere Beispielfragen.</p>
<table>
 <thead><tr><th scope="col">Thema</th><th scope="col">Genauigkeit (Precision)</th>
  <th scope="col">Trefferquote (Recall)</th><th scope="col">F1</th><th scope="col">Beispiele</th></tr></thead>
 <tbody>
 {% for t in topics %}
  <tr{% if t.weak %} class="weak"{% endif %}><td>{{ t.name }}{% if t.weak %} ⚠{% endif %}</td>
   <td>{{ t.precision }}</td><td>{{ t.recall }}</td><td>{{ t.f1 }}</td><td>{{ t.support }}</td></tr>
 {% endfor %}
 </tbody>
</table>
{% else %}<p>Keine FAQ-Themen in den Ergebnissen.</p>{% endif %}

<h2>Häufigste Verwechslungen</h2>
{% if pairs %}
<table>
 <thead><tr><th scope="col">Tatsächlich gemeint</th><th scope="col">Erkannt als</th>
  <th scope="col">Anzahl</th></tr></thead>
 <tbody>
 {% for actual, predicted, count in pairs %}
  <tr><td>{{ actual }}</td><td>{{ predicted }}</td><td>{{ count }}</td></tr>
 {% endfor %}
 </tbody>
</table>
<p class="note">Tipp: Beispielfragen der beiden Themen nebeneinanderlegen und Formulierungen, die auf
beide passen, eindeutiger machen.</p>
{% else %}<p>Keine Verwechslungen.</p>{% endif %}

<h2>Verwechslungen zwischen FAQ-Themen</h2>
{% if plot %}
<img src="data:image/png;base64,{{ plot }}" alt="{{ plot_alt }}">
<p class="note">Zeilen: tatsächliches Thema, Spalten: erkanntes Thema. Rot: Verwechslungen (je dunkler,
desto häufiger). Graue Zahlen auf der Diagonale: richtig erkannte Fragen.
Gezeigt werden nur Themen mit Fehlern.</p>
{% else %}<p>Keine Verwechslungen zwischen FAQ-Themen.</p>{% endif %}
</body>
</html>
"""


def _num(value: Optional[float]) -> str:
    return "–" if value is None else f"{value:.3f}".replace(".", ",")


def _short(label: Optional[str]) -> str:
    return str(label or "–")


def topic_rows(report: Optional[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """One row per FAQ topic, worst F1 first."""
    rows = []
    for label, f1, support in weakest(report, limit=len(report or {})):
        values = (report or {})[label]
        rows.append({"name": label, "precision": _num(values.get("precision")),
                     "recall": _num(values.get("recall")), "f1": _num(f1),
                     "support": support, "weak": f1 < WEAK_F1})
    return rows


def confusion_png(report: Optional[Dict[str, Any]],
                  pairs: List[Tuple[str, str, int]]) -> Tuple[str, str]:
    """(base64 PNG, alt text) of true vs predicted for the topics involved in errors."""
    pairs = [(t, p, n) for t, p, n in pairs if t and p]
    if not pairs:
        return "", ""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    labels = sorted({t for t, _, _ in pairs} | {p for _, p, _ in pairs})
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for true, predicted, count in pairs:
        matrix[index[true]][index[predicted]] += count
    for label in labels:  # correct predictions = recall × support
        values = (report or {}).get(label) or {}
        matrix[index[label]][index[label]] = round(float(values.get("recall", 0)) * int(values.get("support", 0)))
    size = max(4.0, 0.45 * len(labels) + 2.5)
    figure = Figure(figsize=(size + 1, size), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    errors_only = [[0 if i == j else value for j, value in enumerate(row)] for i, row in enumerate(matrix)]
    image = axes.imshow(errors_only, cmap="Reds")  # colour = confusions; diagonal only as number
    axes.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=8)
    axes.set_yticks(range(len(labels)), labels, fontsize=8)
    axes.set_xlabel("erkannt als")
    axes.set_ylabel("tatsächliches Thema")
    peak = max(max(row) for row in errors_only) or 1
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            if value:
                colour = "dimgray" if i == j else "white" if value > peak / 2 else "black"
                axes.text(j, i, str(value), ha="center", va="center", fontsize=7, color=colour)
    figure.colorbar(image, ax=axes, shrink=0.8, label="Verwechslungen")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    worst = max(pairs, key=lambda row: row[2])
    alt = (f"Verwechslungsmatrix von {len(labels)} FAQ-Themen mit Fehlern; am häufigsten "
           f"wurde {worst[0]} als {worst[1]} erkannt ({worst[2]}-mal).")
    return base64.b64encode(buffer.getvalue()).decode("ascii"), alt


def build_report(results: Path, out: Path) -> Path:
    """Write the HTML report for ``results`` (Rasa's cross-validation folder) to ``out``."""
    intents = _load(results / "intent_report.json")
    responses = _load(results / "response_selection_report.json")
    if intents is None and responses is None:
        raise FileNotFoundError(MISSING.format(path=results))
    topic_pairs = confused_pairs(_load(results / "response_selection_errors.json"), "response")
    pairs = confused_pairs(_load(results / "intent_errors.json"), "intent_prediction") + topic_pairs
    pairs.sort(key=lambda row: -row[2])
    plot, plot_alt = confusion_png(responses, topic_pairs)
    source = results / ("intent_report.json" if intents is not None else "response_selection_report.json")
    html = jinja2.Environment(autoescape=True).from_string(TEMPLATE).render(
        today=f"{date.today():%d.%m.%Y}",
        run_date=f"{datetime.fromtimestamp(source.stat().st_mtime):%d.%m.%Y}",
        intent_f1=_num(macro_f1(intents)), topic_f1=_num(macro_f1(responses)),
        topics=topic_rows(responses), weak=_num(WEAK_F1),
        pairs=[(_short(t), _short(p), n) for t, p, n in pairs[:MAX_PAIRS]],
        plot=plot, plot_alt=plot_alt,
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    return out


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="bot report", description="Qualitätsbericht als HTML-Seite.")
    parser.add_argument("--results", type=Path, default=DEFAULT_DIR,
                        help="Ordner mit den Ergebnissen von `make cv` (Standard: results/cv)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="Zieldatei (Standard: results/bericht.html)")
    args = parser.parse_args(argv)
    try:
        path = build_report(args.results, args.out)
    except FileNotFoundError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"Bericht geschrieben: {path} – im Browser öffnen.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
