"""PROVISIONAL sign-in (replaced by the console-auth work).

Until passwords and OpenID Connect land, a person signs in with their
username and one of their own API tokens typed into a password field: it
proves the same thing the API already trusts, and nothing weaker.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from warroom.auth import service as users
from warroom.auth.deps import public
from warroom.console.session import (
    PRESESSION_COOKIE,
    SESSION_COOKIE,
    check_csrf,
    start_session,
)
from warroom.console.templating import safe_next, templates
from warroom.db import Actor
from warroom.http import client_ip

router = APIRouter(include_in_schema=False)


@router.get("/sign-in", dependencies=[public()])
def sign_in_form(request: Request, next: str = "/incidents") -> Response:
    return _form(request, next_url=safe_next(next), error=None, username="")


def _form(request: Request, *, next_url: str, error: str | None, username: str,
          status: int = 200) -> Response:
    nonce = request.cookies.get(PRESESSION_COOKIE) or secrets.token_urlsafe(16)
    request.state.csrf_seed = nonce
    answer = templates.TemplateResponse(request, "signin.html", {
        "next_url": next_url, "error": error, "username": username}, status_code=status)
    answer.set_cookie(PRESESSION_COOKIE, nonce, httponly=True, samesite="lax",
                      secure=request.url.scheme == "https")
    return answer


@router.post("/sign-in", dependencies=[public(), Depends(check_csrf)])
def sign_in(request: Request, username: Annotated[str, Form(max_length=200)] = "",
            token: Annotated[str, Form(max_length=500)] = "",
            next: Annotated[str, Form(max_length=2000)] = "/incidents") -> Response:
    state = request.app.state
    with state.database.read() as session:
        found = users.authenticate(session, secret=token.strip(), now=state.clock.now()) \
            if token.strip() else None
    actor = found[0] if found else None
    if actor is None or actor.user_id is None or actor.name != username.strip():
        return _form(request, next_url=safe_next(next), username=username, status=400,
                     error="That username and token do not match an active user.")
    with state.database.unit_of_work(Actor(name=actor.name, user_id=actor.user_id,
                                           role=actor.role), clock=state.clock,
                                     source_ip=client_ip(request)) as uow:
        cookie = start_session(uow, user_id=actor.user_id, address=client_ip(request),
                               method="token")
    answer = RedirectResponse(safe_next(next), status_code=303)
    answer.set_cookie(SESSION_COOKIE, cookie, httponly=True, samesite="lax",
                      secure=request.url.scheme == "https")
    return answer


@router.post("/sign-out", dependencies=[public(), Depends(check_csrf)])
def sign_out() -> Response:
    answer = RedirectResponse("/sign-in", status_code=303)
    answer.delete_cookie(SESSION_COOKIE)
    return answer
