"""The console's credential: a server-side session behind an HttpOnly cookie,
and the CSRF token every state-changing form carries.

This is the one seam between sign-in and the screens:

- ``console_requires(Permission.x)`` on a screen route finds the person from
  the session cookie (:func:`session_actor`), with the same permission table
  as the API; no session, or an ended one, is :class:`SignInRequired`, which
  the console answers with 303 to ``/sign-in?next=<where they were going>``.
- every state-changing route depends on :func:`check_csrf`; every form puts
  ``{{ csrf_field(request) }}`` (or a hidden ``csrf_token`` from
  ``{{ csrf_token(request) }}``) inside; htmx may send the token as the
  ``X-CSRF-Token`` header instead. A missing or wrong token is
  :class:`CsrfRejected` (403 with a human page).

A CSRF token is a random nonce and an HMAC of it with the session it belongs
to (the hash of the session cookie, or before sign-in the hash of a
pre-session cookie), keyed from ``WARROOM_SECRET_KEY``: a token copied from
one person's page is worthless in another's, and a token dies with its
session. A new nonce per page keeps compression side channels from reading it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from fastapi import Request
from markupsafe import Markup, escape

from warroom.audit import service as audit
from warroom.auth import service as users
from warroom.auth import sessions
from warroom.auth import settings as signin_settings
from warroom.auth.deps import requires
from warroom.db import Actor
from warroom.http import client_ip

if TYPE_CHECKING:
    from fastapi.templating import Jinja2Templates
    from starlette.responses import Response

    from warroom.auth.permissions import Permission
    from warroom.db import UnitOfWork

SESSION_COOKIE = "warroom_session"
PRESESSION_COOKIE = "warroom_presession"
"""Set on the sign-in form, so that form too carries a token tied to a browser."""
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))
_STATE_PRESESSION = "warroom_presession_new"


class SignInRequired(Exception):
    """No live session: the console answers 303 to ``/sign-in?next=<next_url>``."""

    def __init__(self, next_url: str) -> None:
        super().__init__("sign-in required")
        self.next_url = next_url

    @property
    def location(self) -> str:
        return f"/sign-in?next={quote(self.next_url, safe='')}"


class CsrfRejected(Exception):
    """A state-changing request without this session's CSRF token (answered 403)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.sentence = ("This form has expired or did not come from this warroom page. "
                         "Go back, reload the page and try again.")


# ---- sessions -----------------------------------------------------------------


def start_session(uow: UnitOfWork, *, user_id: int, address: str | None, method: str) -> str:
    """Open a console session for ``user_id`` (signed in by ``method``:
    ``password`` or ``oidc``), audit the sign-in, and answer the cookie value."""
    user = users.get(uow.session, user_id=user_id)
    if user is None or not user.is_active:
        raise ValueError(f"user {user_id} cannot sign in")
    secret = sessions.start(uow, user_id=user_id, address=address, method=method)
    audit.record(uow, action="console.sign_in", target=f"user:{user.username}",
                 after={"method": method, "address": address})
    return secret


def session_actor(request: Request) -> Actor:
    """The signed-in person, with their role as it is now (a role change
    holds at the next click), or :class:`SignInRequired`."""
    current = request.scope.get("state", {}).get("warroom_session")
    if isinstance(current, sessions.Current):
        return _actor(current)
    secret = request.cookies.get(SESSION_COOKIE, "")
    state = request.app.state
    now = state.clock.now()
    with state.database.read() as reading:
        current = sessions.lookup(reading, secret=secret, now=now) if secret else None
    if current is None:
        raise SignInRequired(next_url=_here(request))
    if current.stale:
        with state.database.unit_of_work(_actor(current), clock=state.clock) as uow:
            sessions.touch(uow, session_id=current.session_id)
    request.state.warroom_session = current
    return _actor(current)


def console_requires(permission: Permission) -> Any:
    """``requires(permission)`` for console routes: the caller is the session's person."""
    return requires(permission, authenticate=session_actor)


def end_session(uow: UnitOfWork, *, secret: str) -> bool:
    """Sign out the session ``secret`` opens (audited); False when there was none."""
    ended = sessions.end(uow, secret=secret, reason="signed_out")
    if ended is None:
        return False
    user = users.get(uow.session, user_id=ended.user_id)
    audit.record(uow, action="console.sign_out",
                 target=f"user:{user.username if user else ended.user_id}",
                 after={"method": ended.method})
    return True


def set_session_cookie(request: Request, response: Response, secret: str) -> None:
    """HttpOnly, SameSite=Lax, Secure over TLS (or always, by setting); it
    lives as long as the session's absolute end at most."""
    knobs = signin_settings.get()
    response.set_cookie(SESSION_COOKIE, secret, max_age=knobs.session_absolute_hours * 3600,
                        path="/", httponly=True, samesite="lax", secure=is_tls(request))
    response.delete_cookie(PRESESSION_COOKIE, path="/")


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                           secure=is_tls(request))


def is_tls(request: Request) -> bool:
    return signin_settings.get().session_cookie_secure or request.url.scheme == "https"


def safe_next(value: str | None) -> str:
    """``value`` if it is a path on this site, else ``/``: never an open redirect
    (no scheme, no host, no ``//`` or backslash tricks, no control characters)."""
    text = (value or "").strip()
    if (not text.startswith("/") or text.startswith(("//", "/\\")) or "\\" in text
            or any(ord(ch) < 0x20 or ord(ch) == 0x7f for ch in text) or len(text) > 2000):
        return "/"
    parts = urlsplit(text)
    if parts.scheme or parts.netloc:
        return "/"
    if parts.path.rstrip("/") in ("/sign-in", "/sign-out"):
        return "/"
    return text


def _actor(current: sessions.Current) -> Actor:
    return Actor(name=current.username, kind="user", user_id=current.user_id, role=current.role)


def _here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def address(request: Request) -> str | None:
    return client_ip(request)


# ---- CSRF ---------------------------------------------------------------------


def csrf_token(request: Request) -> str:
    """A fresh token for this browser's session, to put in a form as the hidden
    field ``csrf_token``. Before sign-in it is tied to a pre-session cookie,
    which :func:`keep_presession` puts on the response."""
    binding = _binding(request, create=True) or ""
    nonce = secrets.token_urlsafe(12)
    return f"{nonce}.{_mac(request, binding, nonce)}"


def csrf_field(request: Request) -> Markup:
    """The hidden input, ready for a template."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        CSRF_FIELD, escape(csrf_token(request)))


async def check_csrf(request: Request) -> None:
    """Dependency of every state-changing console route: the request must carry
    this session's token (form field ``csrf_token`` or header ``X-CSRF-Token``)
    and, when the browser says where it comes from, come from this site."""
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.url.netloc:
        raise CsrfRejected("cross_origin")
    token = request.headers.get(CSRF_HEADER)
    if token is None and "form" in request.headers.get("content-type", ""):
        form = await request.form()
        field = form.get(CSRF_FIELD)
        token = field if isinstance(field, str) else None
    verify_csrf(request, token)


def verify_csrf(request: Request, token: str | None) -> None:
    """Raise :class:`CsrfRejected` unless ``token`` belongs to this browser's session."""
    binding = _binding(request, create=False)
    if not token or binding is None:
        raise CsrfRejected("missing")
    nonce, _, mac = token.partition(".")
    if not nonce or not hmac.compare_digest(mac, _mac(request, binding, nonce)):
        raise CsrfRejected("mismatch")


def keep_presession(request: Request, response: Response) -> None:
    """Put the pre-session cookie a token was just made for on ``response``."""
    fresh = request.scope.get("state", {}).get(_STATE_PRESESSION)
    if fresh:
        response.set_cookie(PRESESSION_COOKIE, fresh, max_age=3600, path="/", httponly=True,
                            samesite="lax", secure=is_tls(request))


def install_template_globals(templates: Jinja2Templates) -> None:
    """Make ``csrf_token(request)`` and ``csrf_field(request)`` callable in templates."""
    templates.env.globals["csrf_token"] = csrf_token
    templates.env.globals["csrf_field"] = csrf_field


def _binding(request: Request, *, create: bool) -> str | None:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return "s:" + sessions.hash_secret(cookie)
    pre: str | None = request.cookies.get(PRESESSION_COOKIE) or request.scope.get(
        "state", {}).get(_STATE_PRESESSION)
    if not pre and create:
        pre = secrets.token_urlsafe(24)
        request.state.warroom_presession_new = pre
    return "p:" + sessions.hash_secret(pre) if pre else None


def _mac(request: Request, binding: str, nonce: str) -> str:
    key = hmac.new(request.app.state.settings.secret_bytes(), b"console/csrf",
                   hashlib.sha256).digest()
    digest = hmac.new(key, f"{binding}|{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")
