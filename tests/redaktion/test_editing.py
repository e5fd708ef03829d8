"""Editing through the console: every change is a checked file change committed to git with the
editor's name; concurrent edits never lose a change; history, diff and rollback; inbox, contacts,
callbacks. Real files in a git copy of the project, real SQLite, the real Flask app."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import threading
from pathlib import Path
from typing import List

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient

from bot.config import PROJECT_ROOT
from bot.directory.callbacks import list_requests
from bot.directory.callbacks import store as store_callback
from bot.redaktion import contacts as C
from bot.redaktion import topics as T
from bot.redaktion.settings import ConsoleSettings
from bot.redaktion.store import Store
from bot.redaktion.topic_rules import current_month, month_label
from bot.redaktion.yamlfile import dump, load
from bot.staff.check import run_checks
from bot.staff.findings import ERROR
from bot.staff.inbox_store import add_item, get_item
from tests.redaktion.conftest import csrf_token, login, post
from tests.test_faq_content import check_answer

TOPIC = "gewerbeanmeldung"
TOPIC_FILE = f"data/nlu/faq/{TOPIC}.yml"
PAGE = f"/redaktion/themen/{TOPIC}"


def version(client: FlaskClient, page: str = PAGE) -> str:
    match = re.search(r'name="version" value="([0-9a-f]+)"', client.get(page).get_data(as_text=True))
    assert match
    return match.group(1)


def git(project: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=project, capture_output=True, text=True, check=True).stdout


def general_text(project: Path) -> str:
    data = yaml.safe_load((project / TOPIC_FILE).read_text(encoding="utf-8"))
    return data["responses"][f"utter_faq/{TOPIC}"][0]["text"]


def current_core(project: Path) -> str:
    return T.split_text(general_text(project))


def test_every_editable_file_round_trips_unchanged() -> None:
    """The console only edits files whose unchanged round trip is byte-identical (else diffs get noisy)."""
    paths = sorted((PROJECT_ROOT / "data" / "nlu" / "faq").glob("*.yml"))
    paths += [PROJECT_ROOT / "data" / "directory" / name for name in
              sorted({c.file for c in C.read_all(PROJECT_ROOT)})]
    assert len(paths) > 40
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert dump(load(text)) == text, path.name


def test_edit_answer_sets_stand_and_commits_with_editor_name(editor: FlaskClient, project: Path,
                                                             store: Store) -> None:
    core = current_core(project) + " Neu: Die Anmeldung geht auch per E-Mail."
    before = yaml.safe_load((project / TOPIC_FILE).read_text(encoding="utf-8"))["responses"][f"utter_faq/{TOPIC}"]
    reply = post(editor, PAGE, f"{PAGE}/antworten", {
        "version": version(editor), "owner": "Redaktion Gründungslotse", "kern-0": core,
        "quellen-0": "https://www.gesetze-im-internet.de/gewo/__14.html\nhttps://amt24.sachsen.de"})
    assert reply.status_code == 302, reply.get_data(as_text=True)
    assert "gespeichert" in editor.get(PAGE).get_data(as_text=True)
    data = yaml.safe_load((project / TOPIC_FILE).read_text(encoding="utf-8"))
    general, *lands = data["responses"][f"utter_faq/{TOPIC}"]
    assert general["text"] == (f"{core}\nQuellen: https://www.gesetze-im-internet.de/gewo/__14.html, "
                               f"https://amt24.sachsen.de\nStand: {month_label(current_month())}")
    assert general["metadata"]["stand"] == current_month()
    assert general["metadata"]["sources"] == ["https://www.gesetze-im-internet.de/gewo/__14.html",
                                              "https://amt24.sachsen.de"]
    assert [v["metadata"] for v in lands] == [v["metadata"] for v in before[1:]]  # untouched variants unchanged
    assert [v["text"] for v in lands] == [v["text"] for v in before[1:]]
    for variant in data["responses"][f"utter_faq/{TOPIC}"]:
        check_answer(variant)
    diff = git(project, "show", "--format=%an <%ae>|%s", "--stat", "HEAD")
    assert diff.startswith("Rudi Redakteur <rudi@example.de>|Antwort „Gewerbeanmeldung“ geändert")
    assert f"{TOPIC_FILE} | " in diff and "1 file changed" in diff
    assert git(project, "status", "--porcelain") == ""
    entry = store.audit_entries(limit=1)[0]
    assert (entry.username, entry.action, entry.target) == ("rudi", "antwort-geaendert", TOPIC_FILE)
    assert entry.commit == git(project, "rev-parse", "HEAD").strip()
    findings = run_checks(project, rasa=False)
    assert not [f for f in findings if f.level == ERROR and TOPIC in f.file]


def test_too_long_answer_and_http_source_are_refused_with_input_kept(editor: FlaskClient, project: Path) -> None:
    before = (project / TOPIC_FILE).read_bytes()
    long_text = "Sehr langer Text. " * 40
    reply = post(editor, PAGE, f"{PAGE}/antworten", {"version": version(editor), "kern-0": long_text,
                                                    "quellen-0": "http://www.gera.de"})
    page = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert "höchstens 600" in page and "https" in page
    assert long_text.strip() in page  # the typed text is still in the form
    assert (project / TOPIC_FILE).read_bytes() == before


def test_stale_version_is_refused_and_nothing_is_lost(app: Flask, project: Path) -> None:
    first, second = app.test_client(), app.test_client()
    login(first, "anna")
    login(second, "rudi")
    loaded_first, loaded_second = version(first), version(second)
    assert loaded_first == loaded_second
    base = current_core(project)
    sources = "https://www.gesetze-im-internet.de/gewo/__14.html"
    ok = post(first, PAGE, f"{PAGE}/antworten", {"version": loaded_first, "kern-0": base + " Änderung A.",
                                                 "quellen-0": sources})
    assert ok.status_code == 302
    stale = post(second, PAGE, f"{PAGE}/antworten", {"version": loaded_second, "kern-0": base + " Änderung B.",
                                                     "quellen-0": sources})
    page = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "inzwischen geändert" in page and "Anna Admin" in page
    assert "Änderung B." in page  # B's input is shown to copy over
    assert current_core(project) == base + " Änderung A."
    # B reloads, takes over the current text and saves: both changes are in the file and in git
    again = post(second, PAGE, f"{PAGE}/antworten", {"version": version(second),
                                                     "kern-0": base + " Änderung A. Änderung B.",
                                                     "quellen-0": sources})
    assert again.status_code == 302
    assert current_core(project) == base + " Änderung A. Änderung B."
    authors = git(project, "log", "--format=%an", "--", TOPIC_FILE).split("\n")[:2]
    assert authors == ["Rudi Redakteur", "Anna Admin"]


def test_parallel_example_additions_are_all_kept(app: Flask, project: Path) -> None:
    questions = [f"Gewerbe anmelden für meinen Stand Nummer {n} auf dem Wochenmarkt" for n in range(6)]
    clients = []
    for index in range(len(questions)):
        client = app.test_client()
        login(client, "anna" if index % 2 else "rudi")
        clients.append((client, csrf_token(client, PAGE)))
    results: List[int] = []

    def add(client: FlaskClient, token: str, text: str) -> None:
        results.append(client.post(f"{PAGE}/beispiele", data={"beispiel": text, "csrf_token": token}).status_code)

    threads = [threading.Thread(target=add, args=(c, t, q)) for (c, t), q in zip(clients, questions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [302] * len(questions)
    examples = T.read_topic(project, TOPIC).examples
    assert all(q in examples for q in questions)
    assert len(git(project, "log", "--format=%h", "--", TOPIC_FILE).split()) == 1 + len(questions)


def test_remove_example_and_rules_of_the_content_tests(editor: FlaskClient, project: Path) -> None:
    examples = T.read_topic(project, TOPIC).examples
    reply = post(editor, PAGE, f"{PAGE}/beispiele/entfernen", {"beispiel": examples[3]})
    assert reply.status_code == 302
    assert examples[3] not in T.read_topic(project, TOPIC).examples
    # a question that is a button payload elsewhere must stay an example
    payload_topic = "steuerliche_erfassung"
    page = f"/redaktion/themen/{payload_topic}"
    reply = post(editor, page, f"{page}/beispiele/entfernen", {"beispiel": "Wie melde ich mich beim Finanzamt an?"})
    assert reply.status_code == 302
    assert "Wie melde ich mich beim Finanzamt an?" in T.read_topic(project, payload_topic).examples
    assert "Button" in editor.get(page).get_data(as_text=True)
    # a question of another topic is refused
    reply = post(editor, PAGE, f"{PAGE}/beispiele", {"beispiel": "Wie melde ich mich beim Finanzamt an?"})
    assert reply.status_code == 422 and "steuerliche_erfassung" in reply.get_data(as_text=True)


def test_land_variant_added_and_removed(editor: FlaskClient, project: Path) -> None:
    name = "invest"
    page = f"/redaktion/themen/{name}"
    before = T.read_topic(project, name)
    assert "Sachsen" in before.missing_lands
    assert post(editor, page, f"{page}/varianten", {"version": version(editor, page), "land": "Sachsen"}
                ).status_code == 302
    after = T.read_topic(project, name)
    added = next(v for v in after.variants if v.land == "Sachsen")
    assert added.core == before.variants[0].core and added.stand == current_month()
    data = yaml.safe_load((project / f"data/nlu/faq/{name}.yml").read_text(encoding="utf-8"))
    for variant in data["responses"][f"utter_faq/{name}"]:
        check_answer(variant)
    assert "&id" not in (project / f"data/nlu/faq/{name}.yml").read_text(encoding="utf-8")  # no YAML anchors
    assert post(editor, page, f"{page}/varianten/entfernen",
                {"version": version(editor, page), "index": str(added.index)}).status_code == 302
    assert (project / f"data/nlu/faq/{name}.yml").read_text(encoding="utf-8") == \
        git(project, "show", f"HEAD~2:data/nlu/faq/{name}.yml")


def test_new_topic(editor: FlaskClient, project: Path) -> None:
    form = {"name": "meisterbonus", "titel": "Meisterbonus", "owner": "Redaktion Gründungslotse",
            "antwort": "Den Meisterbonus zahlen manche Länder nach der bestandenen Meisterprüfung.",
            "quellen": "https://www.example-land.de/meisterbonus",
            "beispiele": "\n".join(["Was ist der Meisterbonus?", "meisterbonus beantragen"])}
    reply = post(editor, "/redaktion/themen/neu", "/redaktion/themen/neu", form)
    assert reply.status_code == 422 and "mindestens 15" in reply.get_data(as_text=True)
    assert not (project / "data/nlu/faq/meisterbonus.yml").exists()
    form["beispiele"] = "\n".join(f"Meisterbonus Frage Variante {n} bitte" for n in range(15))
    reply = post(editor, "/redaktion/themen/neu", "/redaktion/themen/neu", form)
    assert reply.status_code == 302
    data = yaml.safe_load((project / "data/nlu/faq/meisterbonus.yml").read_text(encoding="utf-8"))
    assert data["nlu"][0]["intent"] == "faq/meisterbonus"
    check_answer(data["responses"]["utter_faq/meisterbonus"][0])
    assert "Neues Thema „Meisterbonus“" in git(project, "log", "-1", "--format=%s")
    assert post(editor, "/redaktion/themen/neu", "/redaktion/themen/neu", form).status_code == 422  # exists


def test_history_diff_and_rollback(editor: FlaskClient, project: Path) -> None:
    original = (project / TOPIC_FILE).read_text(encoding="utf-8")
    core = current_core(project)
    post(editor, PAGE, f"{PAGE}/antworten", {"version": version(editor), "kern-0": core + " Falsch ergänzt.",
                                             "quellen-0": "https://www.gera.de"})
    history = editor.get(f"/redaktion/verlauf/themen/{TOPIC}").get_data(as_text=True)
    assert "Rudi Redakteur" in history and "Antwort „Gewerbeanmeldung“ geändert" in history
    newest, older = git(project, "log", "--format=%h", "--", TOPIC_FILE).split()[:2]
    diff = editor.get(f"/redaktion/verlauf/themen/{TOPIC}/{newest}").get_data(as_text=True)
    assert 'class="diff-add"' in diff and "Falsch ergänzt." in diff and 'class="diff-del"' in diff
    reply = post(editor, f"/redaktion/verlauf/themen/{TOPIC}",
                 f"/redaktion/verlauf/themen/{TOPIC}/{older}/wiederherstellen", {})
    assert reply.status_code == 302
    assert (project / TOPIC_FILE).read_text(encoding="utf-8") == original
    assert git(project, "log", "-1", "--format=%an|%s").startswith("Rudi Redakteur|„Gewerbeanmeldung“ zurückgesetzt")


def test_inbox_assign_and_dismiss(editor: FlaskClient, project: Path, settings: ConsoleSettings) -> None:
    db = settings.inbox_db
    question = "Brauche ich für den Glühweinstand auf dem Weihnachtsmarkt eine Erlaubnis?"
    assigned = add_item(db, "bewertung", question, "genehmigungen")
    personal = add_item(db, "unbeantwortet", "ich heiße Anna Schmidt und will gründen", None)
    junk = add_item(db, "unbeantwortet", "asdfgh", None)
    page = editor.get("/redaktion/eingang").get_data(as_text=True)
    assert question in page and "asdfgh" in page
    reply = post(editor, "/redaktion/eingang", f"/redaktion/eingang/{assigned}/zuordnen", {"thema": "genehmigungen"})
    assert reply.status_code == 302
    assert question in T.read_topic(project, "genehmigungen").examples
    assert get_item(db, assigned).status == "zugeordnet"
    post(editor, "/redaktion/eingang", f"/redaktion/eingang/{personal}/zuordnen", {"thema": "genehmigungen"})
    assert get_item(db, personal).status == "offen"  # [Name] masks are no training examples
    assert "persönliche Daten" in editor.get("/redaktion/eingang").get_data(as_text=True)
    assert post(editor, "/redaktion/eingang", f"/redaktion/eingang/{junk}/verwerfen", {}).status_code == 302
    assert get_item(db, junk).status == "verworfen"


def test_contact_edit_rebuilds_the_directory(editor: FlaskClient, project: Path, settings: ConsoleSettings) -> None:
    contact = next(c for c in C.read_all(project) if c.file == "kammern.yml")
    page = f"/redaktion/kontakte/kammern.yml/{contact.path}"
    reply = post(editor, page, page, {"version": version(editor, page), "website": contact.values["website"],
                                      "phone": "0341 12670", "email": "", "address": "", "hours": "",
                                      "source": contact.values["source"], "geprueft": "1"})
    assert reply.status_code == 302, reply.get_data(as_text=True)
    entry = C.values_written((project / "data/directory/kammern.yml").read_text(encoding="utf-8"), contact.path)
    assert entry["phone"] == "0341 12670" and entry["verified"] == current_month()
    with sqlite3.connect(settings.bot.directory_db) as db:
        assert ("0341 12670",) in db.execute("SELECT phone FROM contact_points").fetchall()
    assert git(project, "log", "-1", "--format=%an").strip() == "Rudi Redakteur"
    # a change `bot verzeichnis` would reject is not written
    before = (project / "data/directory/kammern.yml").read_bytes()
    reply = post(editor, page, page, {"version": version(editor, page), "website": "", "source":
                                      contact.values["source"], "geprueft": "1"})
    assert reply.status_code == 422 and "website" in reply.get_data(as_text=True)
    assert (project / "data/directory/kammern.yml").read_bytes() == before


def test_callbacks_done_deletes_personal_data(editor: FlaskClient, settings: ConsoleSettings, store: Store) -> None:
    db = settings.bot.callback_db
    number = store_callback(db, consent_text="Ja", name="Erika Muster", contact="erika@example.de",
                            topic="Förderung", place="Jena", responsible="WF Jena", retention_days=90)
    page = editor.get("/redaktion/rueckrufe").get_data(as_text=True)
    assert "Erika Muster" in page and "erika@example.de" in page
    assert post(editor, "/redaktion/rueckrufe", f"/redaktion/rueckrufe/{number}/erledigt", {}).status_code == 302
    assert list_requests(db, 90) == []
    [done] = list_requests(db, 90, include_done=True)
    assert (done.name, done.contact) == ("–", "–")
    assert "Erika" not in str(store.audit_entries())


@pytest.fixture
def stale_topic(project: Path) -> Path:
    path = project / "data/nlu/faq/invest.yml"
    path.write_text(path.read_text(encoding="utf-8").replace('"2026-11"', '"2025-01"'), encoding="utf-8")
    return path


def test_topic_list_warns_about_old_stand(editor: FlaskClient, stale_topic: Path) -> None:
    page = editor.get("/redaktion/themen").get_data(as_text=True)
    row = re.search(r"<tr class=\"stale\">.*?</tr>", page, re.S)
    assert row and "invest" in row.group(0) and "älter als 6 Monate" in row.group(0)
    assert "1 mit Stand älter als 6 Monate" in page
