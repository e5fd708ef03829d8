"""Inbox: unanswered and 👎 questions, grouped; one click to add as an example or to dismiss."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from bot.redaktion import topics as T
from bot.redaktion.auth import login_required
from bot.redaktion.topic_rules import validate_topic_file
from bot.redaktion.views.common import saved, settings, show_refusal, store, user, workspace
from bot.redaktion.yamlfile import EditRefused
from bot.staff.inbox import Refused, _open_item, group_similar, usable_text
from bot.staff.inbox_store import open_items, purge, rating_counts, retention_days, set_status

bp = Blueprint("inbox", __name__)


@bp.route("/eingang")
@login_required
def overview() -> Any:
    db = settings().inbox_db
    purge(db, retention_days())
    groups = group_similar(open_items(db))
    topics, _broken = T.read_all(settings().root)
    counts = sorted(rating_counts(db).items(), key=lambda kv: (-kv[1][1], kv[0]))
    return render_template("inbox.html", groups=groups, topics=topics, counts=counts,
                           retention=retention_days())


@bp.route("/eingang/<int:item_id>/zuordnen", methods=["POST"])
@login_required
def assign(item_id: int) -> Any:
    db = settings().inbox_db
    name = request.form.get("thema", "")
    try:
        item = _open_item(db, item_id)
        text = usable_text(item)
        topic = T.read_topic(settings().root, name)
        commit = workspace().change_file(
            user(), topic.rel, lambda old: T.add_example(old or "", name, text),
            lambda new: validate_topic_file(settings().root, name, new),
            f"Frage aus dem Eingang als Beispiel für „{topic.title}“", "eingang-zugeordnet")
        set_status(db, item_id, "zugeordnet", name)
    except Refused as refused:
        flash(str(refused).replace("bot inbox dismiss", "Verwerfen, ID"), "error")
        return redirect(url_for("inbox.overview"))
    except EditRefused as error:
        show_refusal(error)
        return redirect(url_for("inbox.overview"))
    saved(commit, f"Frage {item_id} als Beispielfrage im Thema „{topic.title}“")
    return redirect(url_for("inbox.overview"))


@bp.route("/eingang/<int:item_id>/verwerfen", methods=["POST"])
@login_required
def dismiss(item_id: int) -> Any:
    db = settings().inbox_db
    try:
        _open_item(db, item_id)
    except Refused as refused:
        flash(str(refused), "error")
        return redirect(url_for("inbox.overview"))
    set_status(db, item_id, "verworfen")
    store().log(user().username, "eingang-verworfen", f"Eingang {item_id}")
    flash(f"Frage {item_id} verworfen.", "success")
    return redirect(url_for("inbox.overview"))

