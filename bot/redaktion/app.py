"""Flask app factory of the Redaktion console (all pages under ``/redaktion``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Optional

from flask import Flask, g, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError, CSRFProtect

from bot.redaktion import auth
from bot.redaktion.changes import Workspace
from bot.redaktion.publish import Publisher
from bot.redaktion.settings import ConsoleSettings
from bot.redaktion.store import Store

PREFIX = "/redaktion"
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")


def create_app(settings: ConsoleSettings, store: Optional[Store] = None) -> Flask:
    from bot.redaktion.views import admin, callbacks, contacts, history, inbox, publish, topics

    app = Flask(__name__, static_url_path=f"{PREFIX}/static")
    app.config.update(
        SECRET_KEY=settings.secret_key,
        GL_SETTINGS=settings,
        SESSION_COOKIE_NAME="gl_redaktion",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        SESSION_COOKIE_PATH="/",  # one cookie for every path (a 404 elsewhere must not start a second one)
        PERMANENT_SESSION_LIFETIME=timedelta(hours=settings.absolute_hours),
        WTF_CSRF_TIME_LIMIT=settings.absolute_hours * 3600,
        WTF_CSRF_SSL_STRICT=settings.secure_cookies,
        MAX_CONTENT_LENGTH=256 * 1024,
        TEMPLATES_AUTO_RELOAD=False,
    )
    store = store or Store(settings.database_url)
    app.extensions["gl_store"] = store
    app.extensions["gl_workspace"] = Workspace(settings.root, store)
    app.extensions["gl_publisher"] = Publisher(settings, store)
    CSRFProtect(app)

    app.before_request(auth.load_user)
    for blueprint in (auth.bp, topics.bp, history.bp, inbox.bp, contacts.bp, callbacks.bp, publish.bp, admin.bp):
        app.register_blueprint(blueprint, url_prefix=PREFIX)

    @app.route(f"{PREFIX}/healthz")
    def healthz() -> Any:
        return {"status": "ok"}

    @app.route("/")
    def root() -> Any:
        return redirect(url_for("topics.overview"))

    @app.after_request
    def security_headers(response: Any) -> Any:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        if not request.path.startswith(f"{PREFIX}/static"):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Any:
        if request.is_json:
            return {"error": "Sicherheitsprüfung fehlgeschlagen – bitte die Seite neu laden."}, 400
        return render_template("error.html", title="Sicherheitsprüfung fehlgeschlagen",
                               text="Das Formular war zu alt oder kam nicht von dieser Seite (CSRF-Schutz). "
                                    "Bitte die Seite neu laden und erneut absenden."), 400

    for code, title, text in ((403, "Keine Berechtigung", "Diese Seite ist nur für Admins."),
                              (404, "Nicht gefunden", "Diese Seite gibt es nicht."),
                              (413, "Zu groß", "Die Eingabe ist zu groß.")):
        def handler(error: Any, code: int = code, title: str = title, text: str = text) -> Any:
            if request.is_json or request.path.endswith(("/status", "/nachricht")):
                return {"error": text}, code
            return render_template("error.html", title=title, text=text), code
        app.register_error_handler(code, handler)

    @app.errorhandler(401)
    def unauthorized(error: Any) -> Any:
        return {"error": "Bitte anmelden."}, 401

    @app.context_processor
    def globals_for_templates() -> Any:
        return {"user": g.get("user"), "versioned": app.extensions["gl_workspace"].versioned}

    return app
