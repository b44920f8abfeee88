"""People who use warroom and the API tokens they act through.

A user is also the person warroom pages: on-call adds contact methods and
schedules that point at users, so there is one identity per human.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warroom.db import Base


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(20))
    is_active: Mapped[bool] = mapped_column(default=True)
    is_service_account: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    password_hash: Mapped[str | None] = mapped_column(String(255))
    """Argon2 hash of the console password (None: cannot sign in with one)."""
    oidc_subject: Mapped[str | None] = mapped_column(String(512), unique=True, index=True)
    """``<issuer> <sub>`` of the OpenID Connect identity bound to this user at
    its first single sign-on; later sign-ins must present the same one."""

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    """The first characters of the token, so people can tell tokens apart."""
    role: Mapped[str | None] = mapped_column(String(20))
    """The role pinned when the token was issued (at most the owner's and the
    issuing token's); the token acts as the lower of it and the owner's role.
    None only on tokens issued before roles were pinned: the owner's role."""
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(back_populates="tokens")


class LinkKey(Base):
    """One generation of the key that signs one-click links.

    The signing key is derived from ``WARROOM_SECRET_KEY`` and the newest
    generation's salt, so rotating (a new row) makes every link signed before
    stop working in every process at once, without touching the secret key.
    """

    __tablename__ = "link_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))


class UserSession(Base):
    """One signed-in console session. Only a hash of the cookie is kept, so a
    copy of the database lets nobody sign in as anyone."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    method: Mapped[str] = mapped_column(String(20))
    """How the person signed in: ``password`` or ``oidc``."""
    address: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    """The absolute end, whatever the activity."""
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(40))


class SignInFailure(Base):
    """A failed sign-in, kept for the rate-limit window: the limit holds across
    every API process, and the clock decides when it lifts."""

    __tablename__ = "sign_in_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str | None] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(index=True)
