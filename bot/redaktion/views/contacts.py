"""Contacts: directory entries (website, phone, e-mail, source, verified) – validated like
``bot verzeichnis``; the directory database is rebuilt at once (no training needed)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from bot.directory.build import build as build_directory
from bot.redaktion import contacts as C
from bot.redaktion.auth import login_required
from bot.redaktion.changes import Conflict
from bot.redaktion.topic_rules import current_month
from bot.redaktion.views.common import settings, show_refusal, user, workspace
from bot.redaktion.yamlfile import EditRefused, version_of
from bot.redaktion.topics import months_old
from bot.staff.check import STALE_MONTHS

bp = Blueprint("contacts", __name__)


@bp.route("/kontakte")
@login_required
def overview() -> Any:
    root = settings().root
    query = request.args.get("suche", "").strip()
    chosen = request.args.get("datei", "")
    contacts = C.read_all(root)
    if chosen:
        contacts = [c for c in contacts if c.file == chosen]
    if query:
        needle = query.lower()
        contacts = [c for c in contacts if needle in f"{c.name} {c.context}".lower()]
    rows = [{"contact": c, "age": months_old(c.verified)} for c in contacts]
    return render_template("contacts.html", rows=rows, files=C.file_names(root), chosen=chosen, query=query,
                           stale=STALE_MONTHS)


def _load(file: str, path: str) -> Any:
    root = settings().root
    try:
        rel = C.rel_path(root, file)
        contact = C.find_contact(root, file, path)
    except EditRefused:
        abort(404)
    version = version_of((root / rel).read_text(encoding="utf-8"))
    return rel, contact, version


@bp.route("/kontakte/<file>/<path>", methods=["GET", "POST"])
@login_required
def edit(file: str, path: str) -> Any:
    rel, contact, version = _load(file, path)
    if request.method == "GET":
        return render_template("contact.html", contact=contact, version=version, rel=rel, form={},
                               labels=C.FIELD_LABELS, month=current_month())
    root = settings().root
    values = {key: request.form.get(key, "") for key, _ in contact.fields}
    if not request.form.get("geprueft"):
        values["verified"] = request.form.get("verified", contact.verified)
    try:
        commit = workspace().change_file(
            user(), rel, lambda text: C.save_contact(text or "", path, values, bool(request.form.get("geprueft"))),
            lambda text: C.validate_directory_file(root, file, text),
            f"Kontakt „{contact.name}“ geändert", "kontakt-geaendert",
            expected_version=request.form.get("version", ""),
            after_write=lambda: build_directory(settings().bot.directory_db, root / C.DIRECTORY))
    except EditRefused as error:
        show_refusal(error)
        status = 409 if isinstance(error, Conflict) else 422
        rel, contact, version = _load(file, path)
        return render_template("contact.html", contact=contact, version=version, rel=rel, form=request.form,
                               labels=C.FIELD_LABELS, month=current_month()), status
    flash(f"Kontakt „{contact.name}“ gespeichert" + (f" (Version {commit[:7]})" if commit else "")
          + " – der Bot nennt die neuen Angaben ab sofort.", "success")
    return redirect(url_for("contacts.edit", file=file, path=path))
