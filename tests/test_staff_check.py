"""`bot check`: real data passes; each deliberate mistake gives the right finding and exit code."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import List, Optional, Set, Tuple

import pytest

from bot.config import PROJECT_ROOT
from bot.staff import check
from bot.staff.check import main, run_checks
from bot.staff.findings import Finding

INVEST = "data/nlu/faq/invest.yml"
TGFS = "data/nlu/faq/tgfs.yml"


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A copy of the real data, domain and config to break on purpose."""
    shutil.copytree(PROJECT_ROOT / "data", tmp_path / "data")
    for name in ("domain.yml", "config.yml"):
        shutil.copy(PROJECT_ROOT / name, tmp_path / name)
    return tmp_path


def line_of(root: Path, rel: str, needle: str) -> int:
    lines = (root / rel).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def resub(root: Path, rel: str, pattern: str, new: str) -> None:
    path = root / rel
    text, count = re.subn(pattern, new, path.read_text(encoding="utf-8"), count=1)
    assert count == 1, pattern
    path.write_text(text, encoding="utf-8")


def keep_examples(root: Path, rel: str, count: int) -> None:
    """Cut the file's first examples block down to its first `count` examples."""
    path = root / rel
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == "examples: |") + 1
    end = start
    while end < len(lines) and lines[end].lstrip().startswith("- "):
        end += 1
    assert end - start > count, f"{rel} has only {end - start} examples"
    path.write_text("".join(lines[:start + count] + lines[end:]), encoding="utf-8")


def new_findings(root: Path, before: Set[Finding], **kwargs: object) -> List[Finding]:
    """Findings that the deliberate change added (the copy may carry others' open issues)."""
    return [f for f in run_checks(root, rasa=False, **kwargs) if f not in before]  # type: ignore[arg-type]


def where(findings: List[Finding]) -> List[Tuple[str, str, Optional[int]]]:
    return [(f.level, f.file, f.line) for f in findings]


def baseline(root: Path) -> Set[Finding]:
    return set(run_checks(root, rasa=False))


def test_finding_text_names_file_line_level_and_hint() -> None:
    finding = Finding("Fehler", INVEST, 12, "Antworttext fehlt.", "Text ergänzen")
    assert str(finding) == f"{INVEST}:12: Fehler: Antworttext fehlt. – Text ergänzen"
    assert str(Finding("Warnung", "domain.yml", None, "x", "")) == "domain.yml: Warnung: x"


def test_real_data_has_no_errors(project: Path) -> None:
    errors = [str(f) for f in run_checks(project, rasa=False) if f.level == "Fehler"]
    assert errors == []


def test_invalid_yaml_names_the_line(project: Path, capsys: pytest.CaptureFixture) -> None:
    edit(project, INVEST, "owner: Redaktion Gründungslotse", "owner: Redaktion: Gründungslotse")
    found = [f for f in run_checks(project, rasa=False) if f.file == INVEST]
    assert [(f.level, f.line) for f in found] == [("Fehler", line_of(project, INVEST, "owner: Redaktion:"))]
    assert "Ungültiges YAML" in found[0].message
    assert main(["--root", str(project), "--ohne-rasa"]) == 1
    out = capsys.readouterr().out
    assert f"{INVEST}:{found[0].line}: Fehler: Ungültiges YAML" in out
    assert re.match(r"\d+ Fehler, \d+ Warnung", out.rstrip().splitlines()[-1])


def test_non_utf8_byte_names_the_line(project: Path) -> None:
    path = project / "data" / "directory" / "kreise-sachsen.yml"
    raw = path.read_bytes()
    second_line = raw.index(b"\n") + 1
    path.write_bytes(raw[:second_line] + b"# Stra\xdfe\n" + raw[second_line:])
    found = [f for f in run_checks(project, rasa=False) if f.file == "data/directory/kreise-sachsen.yml"]
    assert [(f.level, f.line) for f in found] == [("Fehler", 2)]
    assert "UTF-8" in found[0].message


def test_example_in_two_topics_is_an_error(project: Path) -> None:
    before = baseline(project)
    edit(project, TGFS, "    examples: |\n", "    examples: |\n      - BAFA Invest Antrag!\n")
    found = new_findings(project, before)
    assert where(found) == [("Fehler", TGFS, line_of(project, TGFS, "BAFA Invest"))]
    assert f"{INVEST}:{line_of(project, INVEST, '- bafa invest antrag')}" in found[0].message
    assert "faq/invest" in found[0].message and "faq/tgfs" in found[0].message
    assert main(["--root", str(project), "--ohne-rasa"]) == 1


def test_same_example_twice_in_one_topic_and_near_duplicates_are_warnings(project: Path) -> None:
    before = baseline(project)
    twice = "      - bafa invest antrag\n"
    edit(project, INVEST, twice, twice * 2)
    near = "      - Welche Firmen sind bei INWEST förderfähig\n"
    edit(project, TGFS, "    examples: |\n", "    examples: |\n" + near)
    found = sorted(new_findings(project, before), key=lambda f: f.file)
    assert [(f.level, f.file) for f in found] == [("Warnung", INVEST), ("Warnung", TGFS)]
    assert found[0].line == line_of(project, INVEST, "- bafa invest antrag") + 1
    assert "Fast gleiche" in found[1].message and found[1].line == line_of(project, TGFS, "INWEST")


def test_missing_answer_text(project: Path) -> None:
    before = baseline(project)
    text = (project / INVEST).read_text(encoding="utf-8")
    start = text.index("    - text: |-\n")
    end = text.index("      buttons:")
    (project / INVEST).write_text(text[:start] + '    - text: ""\n' + text[end:], encoding="utf-8")
    found = new_findings(project, before)
    assert where(found) == [("Fehler", INVEST, line_of(project, INVEST, '- text: ""'))]
    assert "Antworttext fehlt" in found[0].message


def test_missing_sources_in_metadata(project: Path) -> None:
    before = baseline(project)
    resub(project, INVEST, r"        sources:\n(          - .*\n)+", "")
    found = new_findings(project, before)
    assert where(found) == [("Fehler", INVEST, line_of(project, INVEST, "owner:"))]
    assert "metadata.sources" in found[0].message


def test_missing_stand_line_and_http_source(project: Path) -> None:
    before = baseline(project)
    resub(project, INVEST, r"\n        Stand: .*", "")
    edit(project, INVEST, "          - https://", "          - http://")
    found = new_findings(project, before)
    assert {(f.level, f.line) for f in found} == {
        ("Fehler", line_of(project, INVEST, "- text: |-")), ("Fehler", line_of(project, INVEST, "- http://"))}


def test_stale_stand_is_a_warning(project: Path, capsys: pytest.CaptureFixture) -> None:
    found = [f for f in run_checks(project, today=date(2099, 1, 1), rasa=False)
             if f.file == INVEST and "Stand" in f.message]
    assert [(f.level, f.line) for f in found] == [("Warnung", line_of(project, INVEST, 'stand: "'))]
    assert "Stand aktualisieren" in found[0].hint
    assert main(["--root", str(project), "--ohne-rasa", "--heute", "2099-01-01"]) == 0
    assert "Warnungen" in capsys.readouterr().out.splitlines()[-1]


def test_too_few_examples(project: Path) -> None:
    before = baseline(project)
    keep_examples(project, INVEST, 9)
    found = new_findings(project, before)
    assert where(found) == [("Fehler", INVEST, line_of(project, INVEST, "intent: faq/invest"))]
    assert "Nur 9 Beispielfragen" in found[0].message


def test_twelve_examples_are_a_warning(project: Path) -> None:
    before = baseline(project)
    keep_examples(project, INVEST, 12)
    assert [(f.level, f.message) for f in new_findings(project, before)] == [("Warnung", "Nur 12 Beispielfragen.")]


def test_wrong_intent_name(project: Path) -> None:
    before = baseline(project)
    edit(project, INVEST, "intent: faq/invest", "intent: faq/investition")
    found = new_findings(project, before)
    assert ("Fehler", line_of(project, INVEST, "intent: faq/investition")) in [(f.level, f.line) for f in found]


DIRECTORY = """\
stellen:
  - name: Gründerbüro Musterstadt
    website: https://www.musterstadt.de/gruenden
    source: https://www.musterstadt.de/gruenden
    verified: 2026-11
    beratung:
      - name: Sprechstunde im Rathaus
        phone: "0123 4567"
        source: https://www.musterstadt.de/sprechstunde
        verified: 2026-11
  - name: Nur ein Name, keine Kontaktdaten
"""
OWN = "data/directory/test_kontakte.yml"


def test_directory_entry_without_source(project: Path) -> None:
    (project / OWN).write_text(DIRECTORY, encoding="utf-8")
    before = baseline(project)
    edit(project, OWN, "        source: https://www.musterstadt.de/sprechstunde\n", "")
    found = new_findings(project, before)
    assert where(found) == [("Fehler", OWN, line_of(project, OWN, "Sprechstunde im Rathaus"))]
    assert "source" in found[0].message
    assert main(["--root", str(project), "--ohne-rasa"]) == 1


def test_directory_verified_and_source_format(project: Path) -> None:
    (project / OWN).write_text(DIRECTORY, encoding="utf-8")
    before = baseline(project)
    edit(project, OWN, "    source: https://www.musterstadt.de/gruenden", "    source: Telefonat mit Frau X")
    edit(project, OWN, "        source: https://", "        source: http://")
    edit(project, OWN, "        verified: 2026-11", "        verified: November 2026")
    found = sorted(new_findings(project, before), key=lambda f: f.line or 0)
    assert [(f.level, f.line) for f in found] == [
        ("Fehler", line_of(project, OWN, "Telefonat")), ("Warnung", line_of(project, OWN, "http://")),
        ("Fehler", line_of(project, OWN, "November 2026"))]


def test_broken_gewerbe_link_is_an_error_with_file_and_line(project: Path) -> None:
    rel = "data/directory/kreise-sachsen.yml"
    before = baseline(project)
    edit(project, rel, "url: https://www.bautzen.de/anliegen/gewerbe-anmelden",
         "url: http://www.bautzen.de/anliegen/gewerbe-anmelden")
    found = [f for f in new_findings(project, before) if f.level == "Fehler"]
    assert where(found) == [("Fehler", rel, line_of(project, rel, "url: http://www.bautzen.de"))]
    assert "https" in found[0].message and found[0].hint
    assert main(["--root", str(project), "--ohne-rasa"]) == 1


def test_rasa_output_becomes_findings(monkeypatch: pytest.MonkeyPatch) -> None:
    output = ("\x1b[93m/x/rasa/shared/utils/io.py:100: UserWarning: The following duplicated intents "
              "have been found across multiple domain files: faq\n  More info at https://rasa.com\x1b[0m\n"
              "/x/io.py:100: UserWarning: Issue found in 'data/rules.yml': utter_x is not defined\n"
              "2026-11-26 13:25:21 INFO     rasa.validator  - Validating intents...\n"
              "2026-11-26 13:25:21 WARNING  rasa.validator  - The intent 'x' is not used\n")
    monkeypatch.setattr(check.subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(a, 0, output, ""))
    found = check.check_rasa(PROJECT_ROOT)
    assert [(f.level, f.file) for f in found] == [("Warnung", "data/rules.yml"), ("Warnung", "rasa data validate")]
    monkeypatch.setattr(check.subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(a, 1, output, ""))
    assert {f.level for f in check.check_rasa(PROJECT_ROOT)} == {"Fehler"}


def test_real_project_with_rasa_has_no_errors() -> None:
    errors = [str(f) for f in run_checks(PROJECT_ROOT, rasa=True) if f.level == "Fehler"]
    assert errors == []
