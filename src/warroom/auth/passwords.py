"""Console passwords, hashed with Argon2id (pwdlib's recommended parameters).

Only the hash is stored. A wrong username costs the same work as a wrong
password, so timing does not tell which usernames exist.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from pwdlib import PasswordHash

from warroom.audit import service as audit
from warroom.auth import sessions
from warroom.auth import settings as signin_settings
from warroom.auth.models import User
from warroom.errors import Invalid

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork

HASHER = PasswordHash.recommended()
_DUMMY = HASHER.hash(secrets.token_urlsafe(16))


def check_strength(password: str) -> None:
    shortest = signin_settings.get().password_min_length
    if len(password) < shortest:
        raise Invalid(f"A password needs at least {shortest} characters; this one has "
                      f"{len(password)}.", field="password")
    if len(password) > 1024:
        raise Invalid("A password can have at most 1024 characters.", field="password")
    if password.strip() != password:
        raise Invalid("A password cannot start or end with a space (it is too easy to "
                      "type differently next time).", field="password")


def set_password(uow: UnitOfWork, *, user: User, password: str,
                 end_sessions: bool = True) -> None:
    """Give ``user`` a new password; their other console sessions end (someone
    who knew the old one is signed out). The audit entry never holds it."""
    check_strength(password)
    user.password_hash = HASHER.hash(password)
    uow.session.flush()
    ended = sessions.end_all_for_user(uow, user_id=user.id, reason="password_changed") \
        if end_sessions else 0
    audit.record(uow, action="user.set_password", target=f"user:{user.username}",
                 after={"ended_sessions": ended})


def generate() -> str:
    """A first-run password: 20 URL-safe characters (about 120 bits)."""
    return secrets.token_urlsafe(15)


def verify(session: Session, *, username: str, password: str) -> User | None:
    """The active user ``username`` names if ``password`` is theirs, else None."""
    user = session.query(User).filter(User.username == username.strip().lower()).one_or_none()
    if user is None or user.password_hash is None:
        HASHER.verify(password, _DUMMY)
        return None
    if not HASHER.verify(password, user.password_hash) or not user.is_active:
        return None
    return user
