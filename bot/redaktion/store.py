"""Users, sessions, login attempts and the audit log of the console (SQLAlchemy Core).

SQLite (``<state dir>/redaktion.db``) by default, PostgreSQL in the production profile; the
tables carry the prefix ``redaktion_`` so they can share the bot's production database.
Passwords are stored as argon2id hashes; session tokens only as SHA-256 digests.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import List, Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import (Boolean, Column, DateTime, ForeignKey, Integer, MetaData, String, Table, Text,
                        create_engine, func, select)
from sqlalchemy.engine import Engine

ROLES = ("redakteur", "admin")
ROLE_LABELS = {"redakteur": "Redakteur/in", "admin": "Admin"}
MIN_PASSWORD_CHARS = 10

metadata = MetaData()
users = Table(
    "redaktion_users", metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(120), nullable=False),
    Column("email", String(200), nullable=False),
    Column("role", String(20), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime, nullable=False),
)
sessions = Table(
    "redaktion_sessions", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("redaktion_users.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("last_seen", DateTime, nullable=False),
)
login_attempts = Table(
    "redaktion_login_attempts", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False, index=True),
    Column("username", String(64), nullable=False),
    Column("remote", String(64), nullable=False),
    Column("success", Boolean, nullable=False),
)
audit = Table(
    "redaktion_audit", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False, index=True),
    Column("username", String(64), nullable=False),
    Column("action", String(40), nullable=False),
    Column("target", String(300), nullable=False, default=""),
    Column("detail", Text, nullable=False, default=""),
    Column("commit", String(40), nullable=False, default=""),
)

_hasher = PasswordHasher()


class StoreError(ValueError):
    """A German message for the person at the form."""


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    email: str
    role: str
    active: bool

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    username: str
    action: str
    target: str
    detail: str
    commit: str


def _now() -> datetime:
    return datetime.utcnow().replace(microsecond=0)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _user(row) -> User:  # type: ignore[no-untyped-def]
    return User(row.id, row.username, row.display_name, row.email, row.role, bool(row.active))


class Store:
    """All console data; one engine, short transactions."""

    def __init__(self, url: str) -> None:
        kwargs = {"future": True, "pool_pre_ping": True}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 15}
            if url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
                path = Path(url[len("sqlite:///"):])
                path.parent.mkdir(parents=True, exist_ok=True)
                path.touch(mode=0o600, exist_ok=True)  # password hashes: readable by the bot's user only
        self.engine: Engine = create_engine(url, **kwargs)
        metadata.create_all(self.engine)

    # --- users -------------------------------------------------------------------------------

    def create_user(self, username: str, display_name: str, email: str, role: str, password: str) -> User:
        username = username.strip().lower()
        if not username or not username.replace(".", "").replace("-", "").replace("_", "").isalnum():
            raise StoreError("Benutzername: nur Buchstaben, Ziffern, Punkt, Binde- und Unterstrich.")
        if len(username) > 64:
            raise StoreError("Benutzername: höchstens 64 Zeichen.")
        if role not in ROLES:
            raise StoreError(f"Rolle „{role}“ gibt es nicht (redakteur oder admin).")
        if not display_name.strip():
            raise StoreError("Bitte den vollen Namen angeben – er steht in der Versionsgeschichte.")
        if "@" not in email or any(c.isspace() or c in "<>" for c in email.strip()):
            raise StoreError("Bitte eine gültige E-Mail-Adresse angeben (für die Versionsgeschichte).")
        check_password(password)
        with self.engine.begin() as conn:
            if conn.execute(select(users.c.id).where(users.c.username == username)).first():
                raise StoreError(f"Den Benutzernamen „{username}“ gibt es schon.")
            result = conn.execute(users.insert().values(
                username=username, display_name=" ".join(display_name.split()), email=email.strip(),
                role=role, password_hash=_hasher.hash(password), active=True, created_at=_now()))
            user_id = result.inserted_primary_key[0]
        user = self.get_user(int(user_id))
        assert user
        return user

    def get_user(self, user_id: int) -> Optional[User]:
        with self.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.id == user_id)).first()
        return _user(row) if row else None

    def list_users(self) -> List[User]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(users).order_by(users.c.username)).fetchall()
        return [_user(r) for r in rows]

    def count_admins(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(users).where(
                users.c.role == "admin", users.c.active.is_(True))).scalar_one())

    def set_active(self, user_id: int, active: bool) -> None:
        with self.engine.begin() as conn:
            conn.execute(users.update().where(users.c.id == user_id).values(active=active))
            if not active:
                conn.execute(sessions.delete().where(sessions.c.user_id == user_id))

    def set_password(self, user_id: int, password: str) -> None:
        check_password(password)
        with self.engine.begin() as conn:
            conn.execute(users.update().where(users.c.id == user_id).values(password_hash=_hasher.hash(password)))
            conn.execute(sessions.delete().where(sessions.c.user_id == user_id))

    def authenticate(self, username: str, password: str) -> Optional[User]:
        """The active user with this password, or None (same time either way: argon2 always runs)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.username == username.strip().lower())).first()
        stored = row.password_hash if row else _DUMMY_HASH
        try:
            _hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if row is None or not row.active:
            return None
        if _hasher.check_needs_rehash(stored):
            with self.engine.begin() as conn:
                conn.execute(users.update().where(users.c.id == row.id).values(password_hash=_hasher.hash(password)))
        return _user(row)

    # --- login throttle ----------------------------------------------------------------------

    def record_login(self, username: str, remote: str, success: bool) -> None:
        with self.engine.begin() as conn:
            conn.execute(login_attempts.insert().values(
                at=_now(), username=username.strip().lower()[:64], remote=remote[:64], success=success))
            conn.execute(login_attempts.delete().where(login_attempts.c.at < _now() - timedelta(days=7)))

    def seconds_locked(self, username: str, remote: str, max_failures: int, minutes: int) -> int:
        """Seconds until the next login attempt is allowed (0 = now): after ``max_failures`` failed
        attempts for one user name, or ``4 × max_failures`` from one address, within ``minutes``."""
        since = _now() - timedelta(minutes=minutes)
        name = username.strip().lower()[:64]
        wait = 0
        with self.engine.connect() as conn:
            for column, value, limit in ((login_attempts.c.username, name, max_failures),
                                         (login_attempts.c.remote, remote[:64], 4 * max_failures)):
                rows = conn.execute(select(login_attempts.c.at, login_attempts.c.success).where(
                    column == value, login_attempts.c.at >= since).order_by(login_attempts.c.at)).fetchall()
                failures = []
                for row in rows:  # a successful login resets the count
                    failures = [] if row.success else failures + [row.at]
                if len(failures) >= limit:
                    until = failures[-limit] + timedelta(minutes=minutes)
                    wait = max(wait, int((until - _now()).total_seconds()) + 1)
        return wait

    # --- sessions ----------------------------------------------------------------------------

    def open_session(self, user: User) -> str:
        token = secrets.token_urlsafe(32)
        now = _now()
        with self.engine.begin() as conn:
            conn.execute(sessions.insert().values(token_hash=_digest(token), user_id=user.id,
                                                  created_at=now, last_seen=now))
        return token

    def session_user(self, token: str, idle_minutes: int, absolute_hours: int) -> Optional[User]:
        """The user of a live session (and touch it); expired sessions are deleted."""
        now = _now()
        with self.engine.begin() as conn:
            row = conn.execute(select(sessions, users).join(users, users.c.id == sessions.c.user_id).where(
                sessions.c.token_hash == _digest(token))).first()
            if row is None:
                return None
            expired = (now - row.last_seen > timedelta(minutes=idle_minutes)
                       or now - row.created_at > timedelta(hours=absolute_hours) or not row.active)
            if expired:
                conn.execute(sessions.delete().where(sessions.c.token_hash == _digest(token)))
                return None
            conn.execute(sessions.update().where(sessions.c.token_hash == _digest(token)).values(last_seen=now))
            conn.execute(sessions.delete().where(sessions.c.last_seen < now - timedelta(minutes=idle_minutes)))
        return _user(row)

    def close_session(self, token: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(sessions.delete().where(sessions.c.token_hash == _digest(token)))

    # --- audit -------------------------------------------------------------------------------

    def log(self, username: str, action: str, target: str = "", detail: str = "", commit: str = "") -> None:
        with self.engine.begin() as conn:
            conn.execute(audit.insert().values(at=_now(), username=username[:64], action=action[:40],
                                               target=target[:300], detail=detail[:2000], commit=commit[:40]))

    def audit_entries(self, limit: int = 200, target: Optional[str] = None) -> List[AuditEntry]:
        query = select(audit).order_by(audit.c.id.desc()).limit(limit)
        if target is not None:
            query = query.where(audit.c.target == target)
        with self.engine.connect() as conn:
            rows = conn.execute(query).fetchall()
        return [AuditEntry(r.at, r.username, r.action, r.target, r.detail, r.commit) for r in rows]


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise StoreError(f"Das Passwort braucht mindestens {MIN_PASSWORD_CHARS} Zeichen.")
    if password.strip() != password or len(set(password)) < 4:
        raise StoreError("Das Passwort ist zu einfach (Leerzeichen am Rand oder kaum verschiedene Zeichen).")


_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
