"""Callback requests: list, mark done (name and contact are deleted at once, as with ``bot rueckrufe``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for

from bot.directory.callbacks import list_requests, mark_done
from bot.redaktion.auth import login_required
from bot.redaktion.views.common import settings, store, user

bp = Blueprint("callbacks", __name__)


@bp.route("/rueckrufe")
@login_required
def overview() -> Any:
    bot = settings().bot
    requests = list_requests(bot.callback_db, bot.callback_retention_days)
    return render_template("callbacks.html", requests=requests, retention=bot.callback_retention_days)


@bp.route("/rueckrufe/<int:request_id>/erledigt", methods=["POST"])
@login_required
def done(request_id: int) -> Any:
    bot = settings().bot
    if mark_done(bot.callback_db, request_id):
        store().log(user().username, "rueckruf-erledigt", f"R-{request_id}")
        flash(f"R-{request_id} erledigt – Name und Kontakt sind gelöscht.", "success")
    else:
        flash(f"Rückrufbitte R-{request_id} gibt es nicht oder sie ist schon erledigt.", "error")
    return redirect(url_for("callbacks.overview"))
