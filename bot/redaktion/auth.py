"""Login, sessions and roles: server-side sessions (token in a signed, HttpOnly, SameSite=Strict
cookie; only its hash in the database), idle and absolute timeout, login throttle, audit entries."""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable, Optional, TypeVar
from urllib.parse import urlparse

from flask import (Blueprint, abort, current_app, flash, g, redirect, render_template, request, session,
                   url_for)

from bot.redaktion.store import Store, StoreError, User

F = TypeVar("F", bound=Callable[..., Any])
bp = Blueprint("auth", __name__)


def store() -> Store:
    return current_app.extensions["gl_store"]


def current_user() -> Optional[User]:
    return g.get("user")


def load_user() -> None:
    """Before each request: the user of a live session, or None (expired sessions end here)."""
    g.user = None
    token = session.get("token")
    if token:
        cfg = current_app.config["GL_SETTINGS"]
        g.user = store().session_user(token, cfg.idle_minutes, cfg.absolute_hours)
        if g.user is None:
            session.clear()
            g.session_expired = True


def login_required(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            if request.accept_mimetypes.best == "application/json" or request.is_json:
                abort(401)
            if g.get("session_expired"):
                flash("Ihre Sitzung ist abgelaufen – bitte neu anmelden.", "info")
            return redirect(url_for("auth.login", weiter=request.full_path.rstrip("?")))
        return view(*args, **kwargs)
    return wrapped  # type: ignore[return-value]


def admin_required(view: F) -> F:
    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        user = current_user()
        if user is None or not user.is_admin:
            abort(403)
        return view(*args, **kwargs)
    return wrapped  # type: ignore[return-value]


def _safe_next(target: Optional[str]) -> str:
    """Only local paths under /redaktion (no open redirect)."""
    parsed = urlparse(target or "")
    if target and not parsed.scheme and not parsed.netloc and target.startswith("/redaktion") \
            and not target.startswith("//"):
        return target
    return url_for("topics.overview")


@bp.route("/anmelden", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "GET":
        if current_user():
            return redirect(_safe_next(request.args.get("weiter")))
        return render_template("login.html", weiter=request.args.get("weiter", ""))
    cfg = current_app.config["GL_SETTINGS"]
    username = request.form.get("benutzername", "").strip().lower()[:64]
    password = request.form.get("passwort", "")
    remote = request.remote_addr or "?"
    wait = store().seconds_locked(username, remote, cfg.max_failed_logins, cfg.lock_minutes)
    if wait:
        store().log(username or "?", "anmeldung-gesperrt", "", f"von {remote}")
        minutes = max(1, (wait + 59) // 60)
        return render_template("login.html", weiter=request.form.get("weiter", ""), username=username,
                               error=f"Zu viele fehlgeschlagene Anmeldungen. Bitte in {minutes} Minuten "
                                     "erneut versuchen."), 429
    user = store().authenticate(username, password)
    store().record_login(username, remote, user is not None)
    if user is None:
        store().log(username or "?", "anmeldung-fehlgeschlagen", "", f"von {remote}")
        return render_template("login.html", weiter=request.form.get("weiter", ""), username=username,
                               error="Benutzername oder Passwort stimmt nicht."), 401
    session.clear()
    session.permanent = True
    session["token"] = store().open_session(user)
    store().log(user.username, "anmeldung", "", f"von {remote}")
    return redirect(_safe_next(request.form.get("weiter")))


@bp.route("/abmelden", methods=["POST"])
def logout() -> Any:
    token = session.get("token")
    user = current_user()
    if token:
        store().close_session(token)
    if user:
        store().log(user.username, "abmeldung")
    session.clear()
    flash("Sie sind abgemeldet.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/konto", methods=["GET", "POST"])
@login_required
def account() -> Any:
    user = current_user()
    assert user
    if request.method == "POST":
        if store().authenticate(user.username, request.form.get("altes_passwort", "")) is None:
            flash("Das bisherige Passwort stimmt nicht.", "error")
        elif request.form.get("neues_passwort") != request.form.get("neues_passwort_2"):
            flash("Die beiden neuen Passwörter sind verschieden.", "error")
        else:
            try:
                store().set_password(user.id, request.form.get("neues_passwort", ""))
            except StoreError as error:
                flash(str(error), "error")
            else:
                store().log(user.username, "passwort-geaendert", user.username)
                session.clear()
                flash("Passwort geändert – bitte mit dem neuen Passwort anmelden.", "info")
                return redirect(url_for("auth.login"))
    return render_template("account.html")
