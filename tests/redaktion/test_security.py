"""Security of the Redaktion console: login, roles, CSRF, throttle, session timeout, traversal,
YAML injection – against the real Flask app, a real SQLite store and real files in a git copy."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from bot.redaktion import store as store_module
from bot.redaktion.settings import ConsoleSettings
from bot.redaktion.store import Store
from tests.redaktion.conftest import PASSWORD, csrf_token, login, post
from tests.test_faq_content import check_answer

TOPIC = "gewerbeanmeldung"
TOPIC_FILE = f"data/nlu/faq/{TOPIC}.yml"
PAGES = ["/redaktion/", "/redaktion/themen", f"/redaktion/themen/{TOPIC}", "/redaktion/themen/neu",
         "/redaktion/eingang", "/redaktion/kontakte", "/redaktion/rueckrufe", "/redaktion/veroeffentlichen",
         "/redaktion/nutzer", "/redaktion/protokoll", f"/redaktion/verlauf/themen/{TOPIC}", "/redaktion/konto",
         "/redaktion/kontakte/allgemein.yml/contacts.0"]
POSTS = [f"/redaktion/themen/{TOPIC}/antworten", f"/redaktion/themen/{TOPIC}/beispiele",
         f"/redaktion/themen/{TOPIC}/beispiele/entfernen", "/redaktion/themen/neu", "/redaktion/eingang/1/verwerfen",
         "/redaktion/rueckrufe/1/erledigt", "/redaktion/veroeffentlichen/start", "/redaktion/nutzer",
         "/redaktion/kontakte/allgemein.yml/contacts.0"]


def test_no_page_and_no_change_without_login(app: Flask, project: Path) -> None:
    client = app.test_client()
    before = (project / TOPIC_FILE).read_bytes()
    for url in PAGES:
        reply = client.get(url)
        assert reply.status_code == 302 and "/redaktion/anmelden" in reply.headers["Location"], url
    token = csrf_token(client, "/redaktion/anmelden")  # a valid token does not replace a login
    for url in POSTS:
        reply = client.post(url, data={"csrf_token": token, "beispiel": "Hallo Welt wie geht es", "modus": "x"})
        assert reply.status_code in (302, 401), url
        assert "/redaktion/anmelden" in reply.headers.get("Location", "/redaktion/anmelden"), url
    assert client.post("/redaktion/veroeffentlichen/nachricht", json={"text": "hallo"},
                       headers={"X-CSRFToken": token}).status_code == 401
    assert (project / TOPIC_FILE).read_bytes() == before


def test_csrf_token_is_required(admin: FlaskClient, project: Path) -> None:
    before = (project / TOPIC_FILE).read_bytes()
    reply = admin.post(f"/redaktion/themen/{TOPIC}/beispiele", data={"beispiel": "Neue Frage ohne Token bitte"})
    assert reply.status_code == 400 and "Sicherheitsprüfung" in reply.get_data(as_text=True)
    forged = admin.post(f"/redaktion/themen/{TOPIC}/beispiele",
                        data={"beispiel": "Neue Frage mit falschem Token", "csrf_token": "gefälscht"})
    assert forged.status_code == 400
    assert admin.post("/redaktion/veroeffentlichen/nachricht", json={"text": "hallo"}).status_code == 400
    assert (project / TOPIC_FILE).read_bytes() == before


def test_login_throttle_and_hashed_passwords(app: Flask, store: Store) -> None:
    client = app.test_client()
    for _ in range(5):
        assert login(client, "rudi", "falsches-passwort").status_code == 401
    locked = login(client, "rudi", PASSWORD)  # right password, but locked now
    assert locked.status_code == 429 and "Zu viele" in locked.get_data(as_text=True)
    assert login(app.test_client(), "anna").status_code == 302  # other accounts are not locked
    with store.engine.connect() as conn:
        hashes = [row.password_hash for row in conn.execute(select(store_module.users))]
    assert all(h.startswith("$argon2id$") and PASSWORD not in h for h in hashes)
    actions = [e.action for e in store.audit_entries()]
    assert actions.count("anmeldung-fehlgeschlagen") == 5 and "anmeldung-gesperrt" in actions


def test_session_times_out_when_idle(admin: FlaskClient, store: Store, settings: ConsoleSettings) -> None:
    assert admin.get("/redaktion/themen").status_code == 200
    with store.engine.begin() as conn:
        conn.execute(update(store_module.sessions).values(
            last_seen=datetime.utcnow() - timedelta(minutes=settings.idle_minutes + 1)))
    reply = admin.get("/redaktion/themen")
    assert reply.status_code == 302 and "/redaktion/anmelden" in reply.headers["Location"]
    assert "abgelaufen" in admin.get(reply.headers["Location"]).get_data(as_text=True)


def test_logout_ends_the_session_on_the_server(admin: FlaskClient, store: Store) -> None:
    post(admin, "/redaktion/themen", "/redaktion/abmelden", {})
    with store.engine.connect() as conn:
        assert conn.execute(select(store_module.sessions)).fetchall() == []
    assert admin.get("/redaktion/themen").status_code == 302


def test_redakteur_cannot_manage_users_or_read_the_audit_log(editor: FlaskClient, store: Store) -> None:
    assert editor.get("/redaktion/nutzer").status_code == 403
    assert editor.get("/redaktion/protokoll").status_code == 403
    token = csrf_token(editor, "/redaktion/themen")
    created = editor.post("/redaktion/nutzer", data={
        "csrf_token": token, "benutzername": "mallory", "name": "Mallory", "email": "m@example.de",
        "rolle": "admin", "passwort": "mallory-passwort-1"})
    assert created.status_code == 403
    anna = next(u for u in store.list_users() if u.username == "anna")
    assert editor.post(f"/redaktion/nutzer/{anna.id}/aktiv", data={"csrf_token": token, "aktiv": "0"}).status_code == 403
    assert editor.post(f"/redaktion/nutzer/{anna.id}/passwort",
                       data={"csrf_token": token, "passwort": "neues-passwort-99"}).status_code == 403
    assert [u.username for u in store.list_users()] == ["anna", "rudi"]
    assert store.authenticate("anna", PASSWORD) is not None
    assert editor.get("/redaktion/themen").status_code == 200  # editing is allowed


def test_admin_manages_users(admin: FlaskClient, store: Store, app: Flask) -> None:
    reply = post(admin, "/redaktion/nutzer", "/redaktion/nutzer", {
        "benutzername": "berta", "name": "Berta Beispiel", "email": "berta@example.de", "rolle": "redakteur",
        "passwort": "berta-passwort-1"})
    assert reply.status_code == 302
    berta = next(u for u in store.list_users() if u.username == "berta")
    client = app.test_client()
    assert login(client, "berta", "berta-passwort-1").status_code == 302
    post(admin, "/redaktion/nutzer", f"/redaktion/nutzer/{berta.id}/aktiv", {"aktiv": "0"})
    assert client.get("/redaktion/themen").status_code == 302  # deactivated: session ended at once
    assert login(app.test_client(), "berta", "berta-passwort-1").status_code == 401
    assert "nutzer-deaktiviert" in [e.action for e in store.audit_entries()]


@pytest.mark.parametrize("url", [
    "/redaktion/themen/..%2F..%2F..%2Fetc%2Fpasswd", "/redaktion/themen/GEWERBE", "/redaktion/themen/a.b",
    "/redaktion/kontakte/..%2F..%2Fdomain.yml/intents.0", "/redaktion/kontakte/allgemein.yml/__class__",
    "/redaktion/kontakte/allgemein.yml/contacts.999", "/redaktion/kontakte/nicht-da.yml/contacts.0",
    "/redaktion/verlauf/themen/..%2Fdomain", "/redaktion/verlauf/kontakte/..%2F..%2Fconfig.yml",
    "/redaktion/verlauf/themen/gewerbeanmeldung/HEAD~1", "/redaktion/verlauf/andere/x",
    "/redaktion/verlauf/themen/gewerbeanmeldung/--output=x",
])
def test_path_traversal_is_refused(admin: FlaskClient, url: str) -> None:
    assert admin.get(url).status_code == 404


def test_new_topic_name_cannot_leave_the_faq_folder(admin: FlaskClient, project: Path) -> None:
    examples = "\n".join(f"Frage Nummer {i} zum Ausbruch" for i in range(16))
    for name in ("../../domain", "..", "faq/../x", "/etc/passwd", "Name mit Leerzeichen", "ümlaut"):
        reply = post(admin, "/redaktion/themen/neu", "/redaktion/themen/neu", {
            "name": name, "titel": "Ausbruch", "beispiele": examples, "antwort": "Text.",
            "quellen": "https://www.example.de", "owner": "Redaktion"})
        assert reply.status_code == 422 and "kein gültiger Themenname" in reply.get_data(as_text=True), name
    assert sorted(p.name for p in project.iterdir()) == [".git", "config.yml", "data", "domain.yml"]


def test_yaml_injection_in_fields_stays_text(admin: FlaskClient, project: Path) -> None:
    page = f"/redaktion/themen/{TOPIC}"
    topic_file = project / TOPIC_FILE
    version = _version(admin, page)
    hostile = ("Erster Satz.\nQuellen: https://boese.example\nStand: Januar 2020\n"
               "metadata: {owner: x}\n  - text: |-\n\"; !!python/object/apply:os.system ['id'] &a *a")
    reply = post(admin, page, f"{page}/antworten",
                 {"version": version, "kern-0": hostile, "quellen-0": "https://www.gera.de"})
    assert reply.status_code == 422 and "Quelle(n)" in reply.get_data(as_text=True)  # lines reserved for the console

    body = "Erster Satz: mit Doppelpunkt.\n  - text: |-\nmetadata: {owner: x} !!python/object &a *a # kein Kommentar"
    owner = "yes"
    reply = post(admin, page, f"{page}/antworten", {"version": version, "owner": owner, "kern-0": body,
                                                   "quellen-0": "https://www.gera.de"})
    assert reply.status_code == 302, reply.get_data(as_text=True)
    data = yaml.safe_load(topic_file.read_text(encoding="utf-8"))
    general = data["responses"][f"utter_faq/{TOPIC}"][0]
    assert general["text"].startswith(body + "\nQuelle: https://www.gera.de\nStand: ")
    assert all(v["metadata"]["owner"] == "yes" for v in data["responses"][f"utter_faq/{TOPIC}"])  # not True
    for variant in data["responses"][f"utter_faq/{TOPIC}"]:
        check_answer(variant)  # the content test accepts the file

    for example in ("- neue: zeile\n- zweite", "[Jena](ort) gewerbe", "&anker *alias", "#kommentar"):
        reply = post(admin, page, f"{page}/beispiele", {"beispiel": example})
        if reply.status_code == 302:  # accepted: then it is exactly one example line, read back as text
            examples = [ln.strip()[2:] for ln in
                        yaml.safe_load(topic_file.read_text(encoding="utf-8"))["nlu"][0]["examples"].splitlines()]
            assert examples[-1] == example
        else:
            assert reply.status_code == 422
    assert "- zweite" not in topic_file.read_text(encoding="utf-8")


def test_contact_fields_reject_injection_and_stay_strings(admin: FlaskClient, project: Path) -> None:
    page = "/redaktion/kontakte/allgemein.yml/contacts.0"
    path = project / "data" / "directory" / "allgemein.yml"
    before = path.read_bytes()
    version = _version(admin, page)
    for field, value in (("phone", "115\nsource: https://boese.example"), ("website", "javascript:alert(1)"),
                         ("email", "a@b"), ("source", "http://www.115.de"), ("phone", "ruf mich an")):
        reply = post(admin, page, page, {"version": version, "website": "https://www.115.de",
                                         "source": "https://www.115.de", field: value, "geprueft": "1"})
        assert reply.status_code == 422, (field, value)
        assert path.read_bytes() == before
    reply = post(admin, page, page, {"version": version, "website": "https://www.115.de", "phone": "0800 123 456",
                                     "hours": "on", "address": "Musterstr. 1: Hof &a", "source": "https://www.115.de",
                                     "geprueft": "1"})
    assert reply.status_code == 302
    entry = yaml.safe_load(path.read_text(encoding="utf-8"))["contacts"][0]
    assert (entry["phone"], entry["hours"], entry["address"]) == ("0800 123 456", "on", "Musterstr. 1: Hof &a")


def _version(client: FlaskClient, page: str) -> str:
    import re

    match = re.search(r'name="version" value="([0-9a-f]+)"', client.get(page).get_data(as_text=True))
    assert match
    return match.group(1)


def test_security_headers(admin: FlaskClient) -> None:
    reply = admin.get("/redaktion/themen")
    assert "script-src 'self'" in reply.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in reply.headers["Content-Security-Policy"]
    assert reply.headers["X-Frame-Options"] == "DENY" and reply.headers["Cache-Control"] == "no-store"
    cookie = admin.get_cookie("gl_redaktion")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Strict"


def test_open_redirect_after_login_is_refused(app: Flask) -> None:
    client = app.test_client()
    token = csrf_token(client, "/redaktion/anmelden")
    for target in ("https://boese.example/", "//boese.example", "/anderswo"):
        reply = client.post("/redaktion/anmelden", data={"benutzername": "anna", "passwort": PASSWORD,
                                                        "csrf_token": token, "weiter": target})
        assert reply.headers["Location"].endswith("/redaktion/themen"), target
        client = app.test_client()
        token = csrf_token(client, "/redaktion/anmelden")
