"""Rasa's own checks: data validation without warnings, conversation tests."""

import os
import re
import subprocess
import sys
from pathlib import Path

from bot.config import PROJECT_ROOT
from bot.staff.check import expected_rasa_warning, responses_used_outside_rules
from bot.train import training_data_args

# Expected warnings (bot.staff.check.expected_rasa_warning): Rasa 3.6 warns "duplicated intents
# … faq" whenever a retrieval intent is listed in the domain (as its docs require) – the importer
# merges the retrieval intents from the NLU data into the domain and counts the second copy as a
# duplicate; and it reports form questions and responses sent by custom actions as "not used in
# any story or rule". Every other warning fails the test.


def rasa(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3",
           "GL_ACTION_URL": "http://127.0.0.1:5055/webhook", "GL_TRACKER_DB": "var/tracker.db"}
    return subprocess.run(
        [sys.executable, "-m", "rasa", *args], cwd=PROJECT_ROOT, env=env,
        capture_output=True, text=True, timeout=timeout,
    )


def warnings_in(output: str) -> list:
    found = re.findall(r"UserWarning: (.+)", output)
    found += re.findall(r"WARNING\s+\S+\s+-\s+(.+)", output)
    return [w for w in found if not expected_rasa_warning(w)]


def test_rasa_data_validate_has_no_warnings() -> None:
    result = rasa("data", "validate", "--data", *training_data_args())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert warnings_in(output) == [], warnings_in(output)


def test_expected_warnings_are_really_used_by_forms_or_actions() -> None:
    used = responses_used_outside_rules(PROJECT_ROOT)
    assert {"utter_ask_foerder_land", "utter_ask_rueckruf_name", "utter_cancelled"} <= used
    assert not expected_rasa_warning("The utterance 'utter_restarted' is not used in any story or rule.")


def test_conversation_stories_pass(model_path: Path, tmp_path: Path) -> None:
    result = rasa(
        "test", "core", "--model", str(model_path),
        "--stories", "tests/test_stories.yml", "--fail-on-prediction-errors",
        "--out", str(tmp_path / "results"),
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-5000:]
    failed = tmp_path / "results" / "failed_test_stories.yml"
    assert not failed.exists() or "None of the test stories failed" in failed.read_text()
