"""Knobs of console sign-in and sessions (``WARROOM_SESSION_*``, ``WARROOM_SIGNIN_*``)."""

from __future__ import annotations

from pydantic import Field

from warroom.config import WarroomSettings


class SignInSettings(WarroomSettings):
    """How long a console session lasts and how many wrong passwords are let through."""

    session_idle_minutes: int = Field(120, ge=1)
    """A session not used for this long ends (the next click asks to sign in)."""
    session_absolute_hours: int = Field(24, ge=1)
    """A session ends this long after sign-in however busy it is."""
    session_cookie_secure: bool = False
    """Always mark the session cookie ``Secure``; without it the cookie is
    ``Secure`` whenever the request came over https (directly or through a
    trusted proxy)."""
    signin_max_failures_per_user: int = Field(5, ge=1)
    """Wrong passwords for one username within the window before its sign-in pauses."""
    signin_max_failures_per_address: int = Field(20, ge=1)
    """Failed sign-ins from one address within the window before it pauses."""
    signin_failure_window_minutes: int = Field(15, ge=1)
    """The rate-limit window; the pause lifts as the oldest failure leaves it."""
    password_min_length: int = Field(12, ge=8)
    """Shortest password ``warroom user set-password`` accepts."""


def get() -> SignInSettings:
    return SignInSettings.current()
