"""Helpers shared by the views: the workspace, the user, refusals shown as messages."""

from __future__ import annotations

from typing import Any, List

from flask import abort, current_app, flash

from bot.redaktion.auth import current_user
from bot.redaktion.changes import Workspace
from bot.redaktion.publish import Publisher
from bot.redaktion.settings import ConsoleSettings
from bot.redaktion.store import Store, User
from bot.redaktion.yamlfile import EditRefused


def workspace() -> Workspace:
    return current_app.extensions["gl_workspace"]


def publisher() -> Publisher:
    return current_app.extensions["gl_publisher"]


def store() -> Store:
    return current_app.extensions["gl_store"]


def settings() -> ConsoleSettings:
    return current_app.config["GL_SETTINGS"]


def user() -> User:
    found = current_user()
    if found is None:
        abort(401)
    return found


def show_refusal(error: EditRefused) -> None:
    flash(str(error), "error")
    for problem in error.problems:
        flash(problem, "problem")


def saved(commit: str, what: str) -> None:
    suffix = f" (Version {commit[:7]})" if commit else ""
    flash(f"{what} gespeichert{suffix}. Für den Bot wirksam nach „Veröffentlichen“.", "success")


def lines(raw: str) -> List[str]:
    return [ln.strip() for ln in (raw or "").splitlines() if ln.strip()]


def form_int(value: Any, default: int = -1) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
