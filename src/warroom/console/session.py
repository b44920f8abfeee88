"""PROVISIONAL console sessions and CSRF (replaced by the console-auth work).

This copy keeps the agreed interface only: a signed, HttpOnly cookie naming a
user id, verified against warroom's secret key on every request and refused
once the user is disabled; CSRF tokens are an HMAC of the session (or of a
pre-session nonce on the sign-in form) under the same key. The real module
adds server-side sessions with idle and absolute expiry, sign-out of every
session, rate limits and audit entries.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from warroom.auth import service as users
from warroom.auth.deps import requires
from warroom.config import get_settings
from warroom.db import Actor

if TYPE_CHECKING:
    from warroom.auth.permissions import Permission
    from warroom.db import UnitOfWork

SESSION_COOKIE = "warroom_session"
PRESESSION_COOKIE = "warroom_presession"
MAX_AGE_SECONDS = 12 * 3600
_SALT = "warroom.console.session"


class SignInRequired(Exception):
    """No valid session: the console answers 303 to ``/sign-in?next=...``."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class CsrfRejected(Exception):
    """A state-changing form without this session's CSRF token (403 page)."""


def _serializer(secret: bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=_SALT)


def start_session(uow: UnitOfWork, *, user_id: int, address: str | None, method: str) -> str:
    """A cookie value for a freshly signed-in user (``method`` says how)."""
    return _serializer(get_settings().secret_bytes()).dumps(
        {"u": user_id, "m": method, "n": secrets.token_urlsafe(8)})


def session_actor(request: Request) -> Actor:
    """The signed-in user, or :class:`SignInRequired`."""
    value = request.cookies.get(SESSION_COOKIE)
    if value:
        try:
            data = _serializer(request.app.state.settings.secret_bytes()).loads(
                value, max_age=MAX_AGE_SECONDS)
        except BadSignature:
            data = None
        if isinstance(data, dict) and isinstance(data.get("u"), int):
            with request.app.state.database.read() as session:
                user = users.get(session, user_id=data["u"])
                if user is not None and user.is_active:
                    return Actor(name=user.username, kind="user", user_id=user.id,
                                 role=user.role)
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    raise SignInRequired(path if request.method == "GET" else "/incidents")


def sign_in_url(next_url: str) -> str:
    return "/sign-in?next=" + quote(next_url, safe="")


def console_requires(permission: Permission) -> Any:
    return requires(permission, authenticate=session_actor)


def csrf_token(request: Request) -> str:
    """The token every console form carries in its ``csrf_token`` field."""
    seed = getattr(request.state, "csrf_seed", None) or request.cookies.get(
        SESSION_COOKIE) or request.cookies.get(PRESESSION_COOKIE) or ""
    return _token_for(request, seed)


def _token_for(request: Request, seed: str) -> str:
    key = request.app.state.settings.secret_bytes()
    return hmac.new(key, b"csrf:" + seed.encode(), hashlib.sha256).hexdigest()


async def check_csrf(request: Request) -> None:
    """Refuse a state-changing form that does not carry the token of this
    session (or, on the sign-in form, of this browser's pre-session nonce)."""
    form = await request.form()
    sent = form.get("csrf_token")
    seeds = [request.cookies.get(SESSION_COOKIE), request.cookies.get(PRESESSION_COOKIE)]
    if not isinstance(sent, str) or not any(
            seed and hmac.compare_digest(sent, _token_for(request, seed)) for seed in seeds):
        raise CsrfRejected()
