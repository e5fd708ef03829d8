"""Admins only: users (create, deactivate, set password) and the audit log."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from bot.redaktion.auth import admin_required
from bot.redaktion.store import ROLE_LABELS, StoreError
from bot.redaktion.views.common import store, user

bp = Blueprint("admin", __name__)


@bp.route("/nutzer", methods=["GET", "POST"])
@admin_required
def users() -> Any:
    form = request.form if request.method == "POST" else {}
    if request.method == "POST":
        try:
            created = store().create_user(form.get("benutzername", ""), form.get("name", ""),
                                          form.get("email", ""), form.get("rolle", ""), form.get("passwort", ""))
        except StoreError as error:
            flash(str(error), "error")
            return render_template("users.html", users=store().list_users(), form=form, roles=ROLE_LABELS), 422
        store().log(user().username, "nutzer-angelegt", created.username, f"Rolle {created.role}")
        flash(f"Nutzer „{created.username}“ angelegt ({created.role_label}).", "success")
        return redirect(url_for("admin.users"))
    return render_template("users.html", users=store().list_users(), form={}, roles=ROLE_LABELS)


@bp.route("/nutzer/<int:user_id>/aktiv", methods=["POST"])
@admin_required
def set_active(user_id: int) -> Any:
    target = store().get_user(user_id)
    active = request.form.get("aktiv") == "1"
    if target is None:
        flash("Diesen Nutzer gibt es nicht.", "error")
    elif target.id == user().id and not active:
        flash("Sie können sich nicht selbst deaktivieren.", "error")
    else:
        store().set_active(user_id, active)
        store().log(user().username, "nutzer-aktiviert" if active else "nutzer-deaktiviert", target.username)
        flash(f"„{target.username}“ ist jetzt {'aktiv' if active else 'deaktiviert (abgemeldet)'}.", "success")
    return redirect(url_for("admin.users"))


@bp.route("/nutzer/<int:user_id>/passwort", methods=["POST"])
@admin_required
def set_password(user_id: int) -> Any:
    target = store().get_user(user_id)
    if target is None:
        flash("Diesen Nutzer gibt es nicht.", "error")
        return redirect(url_for("admin.users"))
    try:
        store().set_password(user_id, request.form.get("passwort", ""))
    except StoreError as error:
        flash(str(error), "error")
    else:
        store().log(user().username, "passwort-gesetzt", target.username)
        flash(f"Neues Passwort für „{target.username}“ gesetzt; laufende Sitzungen sind beendet.", "success")
    return redirect(url_for("admin.users"))


@bp.route("/protokoll")
@admin_required
def audit_log() -> Any:
    return render_template("audit.html", entries=store().audit_entries(limit=500))
