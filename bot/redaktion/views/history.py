"""History per file (git log), the diff of one change, and rollback as a new commit."""

from __future__ import annotations

from typing import Any, Callable, List, Tuple

from flask import Blueprint, abort, redirect, render_template, request, url_for

from bot.directory.build import build as build_directory
from bot.redaktion import contacts as C
from bot.redaktion import gitrepo
from bot.redaktion import topics as T
from bot.redaktion.auth import login_required
from bot.redaktion.topic_rules import validate_topic_file
from bot.redaktion.views.common import saved, settings, show_refusal, user, workspace
from bot.redaktion.yamlfile import EditRefused

bp = Blueprint("history", __name__)
KINDS = ("themen", "kontakte")


def _target(kind: str, name: str) -> Tuple[str, str, Callable[[str], List[str]], Any]:
    """(file, title, validator, after_write) for a topic or a directory file; 404 for anything else."""
    root = settings().root
    try:
        if kind == "themen":
            topic = T.read_topic(root, name)
            return topic.rel, topic.title, lambda text: validate_topic_file(root, name, text), None
        if kind == "kontakte":
            rel = C.rel_path(root, name)
            return (rel, name, lambda text: C.validate_directory_file(root, name, text),
                    lambda: build_directory(settings().bot.directory_db, root / C.DIRECTORY))
    except EditRefused:
        pass
    abort(404)


def _revision(rel: str, commit: str) -> gitrepo.Revision:
    full = gitrepo.resolve(settings().root, commit)
    found = next((r for r in gitrepo.history(settings().root, rel, limit=500) if r.commit == full), None)
    if full is None or found is None:
        abort(404)
    return found


@bp.route("/verlauf/<kind>/<name>")
@login_required
def file_history(kind: str, name: str) -> Any:
    rel, title, _validate, _after = _target(kind, name)
    revisions = gitrepo.history(settings().root, rel) if workspace().versioned else []
    return render_template("history.html", kind=kind, name=name, rel=rel, title=title, revisions=revisions)


@bp.route("/verlauf/<kind>/<name>/<commit>")
@login_required
def show(kind: str, name: str, commit: str) -> Any:
    rel, title, _validate, _after = _target(kind, name)
    revision = _revision(rel, commit)
    diff = gitrepo.diff(settings().root, revision.commit, rel)
    rows = []
    for line in diff.splitlines():
        if line.startswith(("diff --git", "index ", "--- ", "+++ ")):
            continue
        css = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "ctx")
        rows.append((css, line))
    return render_template("diff.html", kind=kind, name=name, rel=rel, title=title, revision=revision, rows=rows)


@bp.route("/verlauf/<kind>/<name>/<commit>/wiederherstellen", methods=["POST"])
@login_required
def restore(kind: str, name: str, commit: str) -> Any:
    rel, title, validate, after = _target(kind, name)
    revision = _revision(rel, commit)
    old = gitrepo.show_file(settings().root, revision.commit, rel)
    if old is None:
        abort(404)
    try:
        new_commit = workspace().change_file(
            user(), rel, lambda _text: old, validate,
            f"„{title}“ zurückgesetzt auf die Fassung {revision.short} vom {revision.date[:10]}", "zurueckgesetzt",
            expected_version=request.form.get("version") or None, after_write=after)
    except EditRefused as error:
        show_refusal(error)
        return redirect(url_for("history.file_history", kind=kind, name=name))
    saved(new_commit, f"Fassung {revision.short} wiederhergestellt –")
    return redirect(url_for("history.file_history", kind=kind, name=name))
