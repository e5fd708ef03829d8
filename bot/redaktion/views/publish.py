"""Publish: one button (check → train → conversation tests → reload), or first try the candidate."""

from __future__ import annotations

import secrets
from typing import Any

import requests
from flask import Blueprint, flash, jsonify, redirect, render_template, request, session, url_for

from bot.redaktion.auth import login_required
from bot.redaktion.publish import PublishBusy
from bot.redaktion.views.common import publisher, settings, user
from bot.staff.reload import newest_model
from bot.text_input import clean_message

bp = Blueprint("publish", __name__)


def _loaded_model() -> str:
    """The model file the running bot reports (empty if it does not answer)."""
    from bot.serve import api_token

    bot = settings().bot
    try:
        reply = requests.get(f"{bot.rasa_url}/status", params={"token": api_token(bot)}, timeout=3)
        return str(reply.json().get("model_file") or "").rsplit("/", 1)[-1] if reply.ok else ""
    except (requests.RequestException, ValueError, OSError):
        return ""


@bp.route("/veroeffentlichen")
@login_required
def overview() -> Any:
    job = publisher().job
    newest = newest_model()
    return render_template("publish.html", job=job.as_dict() if job else None, loaded=_loaded_model(),
                           newest=newest.name if newest else "", trying=publisher().try_server.running)


@bp.route("/veroeffentlichen/start", methods=["POST"])
@login_required
def start() -> Any:
    mode = "ausprobieren" if request.form.get("modus") == "ausprobieren" else "veroeffentlichen"
    try:
        publisher().start(user(), mode)
    except PublishBusy as busy:
        flash(str(busy), "error")
    return redirect(url_for("publish.overview"))


@bp.route("/veroeffentlichen/status")
@login_required
def status() -> Any:
    job = publisher().job
    return jsonify({"job": job.as_dict() if job else None, "trying": publisher().try_server.running})


@bp.route("/veroeffentlichen/freigeben", methods=["POST"])
@login_required
def release() -> Any:
    try:
        publisher().release(user())
    except PublishBusy as busy:
        flash(str(busy), "error")
    return redirect(url_for("publish.overview"))


@bp.route("/veroeffentlichen/verwerfen", methods=["POST"])
@login_required
def discard() -> Any:
    try:
        publisher().discard(user())
    except PublishBusy as busy:
        flash(str(busy), "error")
    else:
        flash("Das ausprobierte Modell ist verworfen; der Bot antwortet weiter wie bisher.", "success")
    return redirect(url_for("publish.overview"))


@bp.route("/veroeffentlichen/nachricht", methods=["POST"])
@login_required
def message() -> Any:
    """One chat message to the candidate model on the test server (JSON in, bot messages out)."""
    payload = request.get_json(silent=True) or {}
    text = clean_message(str(payload.get("text", "")), max_chars=settings().bot.max_message_chars).text
    if not text:
        return jsonify({"error": "Bitte eine Nachricht eingeben."}), 400
    sender = session.setdefault("try_sender", f"redaktion-test-{secrets.token_hex(6)}")
    try:
        replies = publisher().try_server.say(sender, text)
    except (RuntimeError, requests.RequestException):
        return jsonify({"error": "Der Testserver läuft nicht (mehr). Bitte „Erst ausprobieren“ neu starten."}), 409
    return jsonify({"messages": [{"text": str(m.get("text") or ""),
                                  "buttons": [str(b.get("title") or "") for b in m.get("buttons") or []]}
                                 for m in replies]})
