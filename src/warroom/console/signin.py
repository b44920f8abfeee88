"""``/sign-in``, ``/sign-out`` and single sign-on: how a person gets a console session.

Every outcome is in the audit log: ``console.sign_in`` (with the method),
``console.sign_out``, ``console.sign_in_failed`` (with a reason, never the
password) and ``console.sign_in_refused`` (rate-limited). Bad input answers
the form again with the error beside its field; nothing else is changed.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse, Response

from warroom.audit import service as audit
from warroom.auth import passwords, throttle
from warroom.auth.deps import public
from warroom.auth.sessions import lookup
from warroom.console import oidc, oidc_users, session
from warroom.console import oidc_settings as oidc_knobs
from warroom.console.templating import templates
from warroom.db import Actor
from warroom.errors import Problem

router = APIRouter(include_in_schema=False, tags=["console"])

ANONYMOUS = Actor(name="console", kind="anonymous")
"""Who a failed sign-in is recorded as: not the name typed, which anyone can type."""
WRONG = "That username and password do not match an active warroom account."
CALLBACK = "/sign-in/oidc/callback"


@router.get("/sign-in", dependencies=[public()])
def sign_in_form(request: Request, next: str = "/") -> Response:
    """The sign-in form (straight on to ``next`` for someone already signed in)."""
    target = session.safe_next(next)
    if _signed_in(request):
        return RedirectResponse(target, status_code=303)
    return _form(request, next_url=target)


@router.post("/sign-in", dependencies=[public()])
def sign_in(request: Request, username: str = Form(""), password: str = Form(""),
            next: str = Form("/"), csrf_token: str = Form("")) -> Response:
    target = session.safe_next(next)
    name = username.strip().lower()[:64]
    try:
        session.verify_csrf(request, csrf_token)
    except session.CsrfRejected:
        return _form(request, next_url=target, username=name, status=400,
                     notice="This sign-in form had expired, so it was reloaded: "
                            "enter your password again.")
    errors = {}
    if not name:
        errors["username"] = "Enter your username."
    if not password:
        errors["password"] = "Enter your password."
    if errors:
        return _form(request, next_url=target, username=name, errors=errors, status=422)
    state = request.app.state
    address = session.address(request)
    with state.database.read() as reading:
        paused = throttle.pause(reading, username=name, address=address, now=state.clock.now())
    if paused is not None:
        _record(request, "console.sign_in_refused", name, reason=f"rate_limited_{paused.scope}")
        return _form(request, next_url=target, username=name, status=429,
                     notice=paused.sentence, headers={"Retry-After": _retry(request, paused)})
    with state.database.read() as reading:
        user = passwords.verify(reading, username=name, password=password)
        user_id, role = (user.id, user.role) if user else (None, None)
    if user_id is None:
        with state.database.unit_of_work(ANONYMOUS, source_ip=address, clock=state.clock) as uow:
            throttle.record_failure(uow, username=name, address=address)
            audit.record(uow, action="console.sign_in_failed", target=f"user:{name}",
                         after={"reason": "wrong_credentials", "address": address})
        return _form(request, next_url=target, username=name, status=401,
                     errors={"password": WRONG})
    actor = Actor(name=name, kind="user", user_id=user_id, role=role)
    with state.database.unit_of_work(actor, source_ip=address, clock=state.clock) as uow:
        throttle.clear_user(uow, username=name)
        secret = session.start_session(uow, user_id=user_id, address=address,
                                       method="password")
    answer = RedirectResponse(target, status_code=303)
    session.set_session_cookie(request, answer, secret)
    return answer


@router.post("/sign-out", dependencies=[public()])
async def sign_out(request: Request) -> Response:
    """End this browser's session (with its CSRF token: a page elsewhere must
    not sign people out) and go back to the sign-in form."""
    secret = request.cookies.get(session.SESSION_COOKIE, "")
    answer = RedirectResponse("/sign-in", status_code=303)
    live: bool = bool(secret) and await run_in_threadpool(_signed_in, request)
    if live:
        await session.check_csrf(request)
        await run_in_threadpool(_end, request, secret)
    session.clear_session_cookie(request, answer)
    return answer


def _end(request: Request, secret: str) -> None:
    state = request.app.state
    actor = session.session_actor(request)
    with state.database.unit_of_work(actor, source_ip=session.address(request),
                                     clock=state.clock) as uow:
        session.end_session(uow, secret=secret)


@router.get("/sign-in/oidc", dependencies=[public()])
def oidc_start(request: Request, next: str = "/") -> Response:
    """Send the browser to the identity provider (PKCE, state and nonce)."""
    knobs = oidc_knobs.get()
    target = session.safe_next(next)
    if not knobs.enabled:
        return _form(request, next_url=target, status=404,
                     notice="Single sign-on is not set up here; sign in with your password.")
    state = request.app.state
    try:
        url, flow = oidc.begin(knobs, redirect_uri=_callback_url(request), next_url=target,
                               key=state.settings.secret_bytes(), now=state.clock.now())
    except (oidc.OidcFailed, Problem) as failed:
        return _form(request, next_url=target, status=502, notice=_sentence(failed))
    answer = RedirectResponse(url, status_code=303)
    answer.set_cookie(oidc.FLOW_COOKIE, flow, max_age=oidc.FLOW_SECONDS, path=CALLBACK,
                      httponly=True, samesite="lax", secure=session.is_tls(request))
    return answer


@router.get(CALLBACK, dependencies=[public()])
def oidc_callback(request: Request) -> Response:
    """The provider's redirect back: redeem the code, check the ID token, open a session."""
    knobs = oidc_knobs.get()
    if not knobs.enabled:
        return _form(request, next_url="/", status=404,
                     notice="Single sign-on is not set up here; sign in with your password.")
    state = request.app.state
    address = session.address(request)
    params = {key: value for key, value in request.query_params.items()}
    try:
        claims, flow = oidc.finish(knobs, params=params,
                                   cookie=request.cookies.get(oidc.FLOW_COOKIE),
                                   redirect_uri=_callback_url(request),
                                   key=state.settings.secret_bytes(), now=state.clock.now())
        with state.database.unit_of_work(Actor(name="oidc", kind="system"), source_ip=address,
                                         clock=state.clock) as uow:
            user = oidc_users.sign_in_user(uow, knobs, claims)
            secret = session.start_session(uow, user_id=user.id, address=address,
                                           method="oidc")
    except oidc.OidcFailed as failed:
        _record(request, "console.sign_in_failed", "(single sign-on)", reason="oidc",
                detail=failed.sentence)
        return _form(request, next_url="/", status=400, notice=failed.sentence,
                     forget_flow=True)
    answer = RedirectResponse(session.safe_next(flow.next_url), status_code=303)
    answer.delete_cookie(oidc.FLOW_COOKIE, path=CALLBACK)
    session.set_session_cookie(request, answer, secret)
    return answer


def _form(request: Request, *, next_url: str, username: str = "",
          errors: dict[str, str] | None = None, notice: str | None = None, status: int = 200,
          headers: dict[str, str] | None = None, forget_flow: bool = False) -> Response:
    knobs = oidc_knobs.get()
    context: dict[str, Any] = {
        "next_url": next_url, "username": username, "errors": errors or {}, "notice": notice,
        "oidc_name": knobs.oidc_display_name if knobs.enabled else None}
    answer = templates.TemplateResponse(request, "signin.html", context, status_code=status,
                                        headers={"Cache-Control": "no-store", **(headers or {})})
    session.keep_presession(request, answer)
    if forget_flow:
        answer.delete_cookie(oidc.FLOW_COOKIE, path=CALLBACK)
    return answer


def _signed_in(request: Request) -> bool:
    secret = request.cookies.get(session.SESSION_COOKIE, "")
    if not secret:
        return False
    state = request.app.state
    with state.database.read() as reading:
        return lookup(reading, secret=secret, now=state.clock.now()) is not None


def _record(request: Request, action: str, name: str, **after: Any) -> None:
    state = request.app.state
    address = session.address(request)
    with state.database.unit_of_work(ANONYMOUS, source_ip=address, clock=state.clock) as uow:
        audit.record(uow, action=action, target=f"user:{name}",
                     after={**after, "address": address})


def _retry(request: Request, paused: throttle.Pause) -> str:
    seconds = (paused.until - request.app.state.clock.now()).total_seconds()
    return str(max(1, int(seconds) + 1))


def _callback_url(request: Request) -> str:
    return f"{request.app.state.settings.base_url}{CALLBACK}"


def _sentence(failed: Exception) -> str:
    if isinstance(failed, oidc.OidcFailed):
        return failed.sentence
    if isinstance(failed, Problem):
        return failed.detail
    return "Single sign-on failed."
