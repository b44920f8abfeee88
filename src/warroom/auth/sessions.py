"""Server-side console sessions.

The cookie carries 256 random bits; the table keeps only their SHA-256, like
API tokens. A session ends when it is idle too long, when it reaches its
absolute end, at sign-out, when its user is disabled or changes password, and
for everyone when warroom's keys are rotated. The caller's role is read from
the user on every request, so a role change holds at the next click.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update

from warroom.auth import settings as signin_settings
from warroom.auth.models import User, UserSession

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork

SEEN_RESOLUTION = timedelta(minutes=1)
"""``last_seen_at`` is written at most this often, so reading pages stays reads."""
METHODS = ("password", "oidc")


@dataclass(frozen=True)
class Current:
    """A live session and its user, as of this request."""

    session_id: int
    user_id: int
    username: str
    role: str
    method: str
    stale: bool
    """Whether ``last_seen_at`` is old enough to be worth a write."""


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def start(uow: UnitOfWork, *, user_id: int, address: str | None, method: str) -> str:
    """Open a session for ``user_id``; answer the cookie value (shown once)."""
    if method not in METHODS:
        raise ValueError(f"unknown sign-in method {method!r}")
    knobs = signin_settings.get()
    secret = secrets.token_urlsafe(32)
    now = uow.now()
    uow.session.add(UserSession(
        user_id=user_id, secret_hash=hash_secret(secret), method=method,
        address=(address or None) and address[:64], created_at=now, last_seen_at=now,
        expires_at=now + timedelta(hours=knobs.session_absolute_hours)))
    uow.session.flush()
    return secret


def lookup(session: Session, *, secret: str, now: datetime) -> Current | None:
    """The live session ``secret`` opens, or None (unknown, ended, idle too
    long, past its absolute end, or its user disabled)."""
    if not secret or len(secret) > 200:
        return None
    row = session.execute(
        select(UserSession, User).join(User, User.id == UserSession.user_id)
        .where(UserSession.secret_hash == hash_secret(secret))).first()
    if row is None:
        return None
    found, user = row
    idle = timedelta(minutes=signin_settings.get().session_idle_minutes)
    if (found.ended_at is not None or not user.is_active or found.expires_at <= now
            or found.last_seen_at + idle <= now):
        return None
    return Current(session_id=found.id, user_id=user.id, username=user.username,
                   role=user.role, method=found.method,
                   stale=now - found.last_seen_at >= SEEN_RESOLUTION)


def touch(uow: UnitOfWork, *, session_id: int) -> None:
    found = uow.session.get(UserSession, session_id)
    if found is not None and found.ended_at is None:
        found.last_seen_at = uow.now()


def end(uow: UnitOfWork, *, secret: str, reason: str = "signed_out") -> UserSession | None:
    """End the session ``secret`` opens; answer it (None when there was none)."""
    found = uow.session.scalar(select(UserSession).where(
        UserSession.secret_hash == hash_secret(secret)))
    if found is None or found.ended_at is not None:
        return None
    found.ended_at = uow.now()
    found.end_reason = reason
    return found


def end_all_for_user(uow: UnitOfWork, *, user_id: int, reason: str) -> int:
    """End every live session of one user; answer how many."""
    return _end(uow, reason, UserSession.user_id == user_id)


def end_all(uow: UnitOfWork, *, reason: str) -> int:
    """End every live session (warroom's keys were rotated)."""
    return _end(uow, reason)


def _end(uow: UnitOfWork, reason: str, *conditions: object) -> int:
    result = uow.session.execute(
        update(UserSession).where(UserSession.ended_at.is_(None), *conditions)  # type: ignore[arg-type]
        .values(ended_at=uow.now(), end_reason=reason)
        .execution_options(synchronize_session=False))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def live_count(session: Session, *, user_id: int, now: datetime) -> int:
    """How many sessions of one user are still open (for the admin screens)."""
    idle = timedelta(minutes=signin_settings.get().session_idle_minutes)
    rows = session.scalars(select(UserSession).where(
        UserSession.user_id == user_id, UserSession.ended_at.is_(None),
        UserSession.expires_at > now, UserSession.last_seen_at > now - idle))
    return len(list(rows))
