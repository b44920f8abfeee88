"""The status page's public side, open to anyone: the page, its JSON, feed
and badges (ordinary FastAPI routes serving the snapshot's prepared bytes,
which :func:`wrap` also serves from a raw ASGI layer in front of the whole
app), and the email subscription flow (confirm, unsubscribe), which writes.

``create_app`` calls :func:`mount`; ``warroom serve`` serves ``wrap(app)``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Form, Path, Query, Request
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp

from warroom.auth import links
from warroom.auth.deps import public
from warroom.db import Actor
from warroom.errors import BadRequest, NotFound, Problem
from warroom.http import read_session, write_unit
from warroom.statuspage.fastlane import FastLane
from warroom.statuspage.publishing import render
from warroom.statuspage.publishing.documents import PREFLIGHT, answer
from warroom.statuspage.publishing.snapshot import (
    ALIASES,
    COMPONENT_BADGE,
    FIXED_PATHS,
    INCIDENT_PAGE,
    PAGE_PREFIX,
    Snapshots,
)
from warroom.statuspage.subscribers import service as subscribers

SUBSCRIBER = Actor(name="subscriber", kind="public")
TAG = "status page (public)"
Token = Annotated[str | None, Query(max_length=4000, description="The link's signed token.")]
FormToken = Annotated[str | None, Form(alias="token", max_length=4000)]

router = APIRouter(tags=[TAG], dependencies=[public()])


def mount(app: FastAPI) -> None:
    """Give the app its snapshot and the public routes; watch for changes
    made by other processes while the app runs."""
    snapshots = Snapshots(app.state.database, app.state.clock)
    app.state.statuspage = snapshots
    for path in FIXED_PATHS:
        app.add_api_route(path, serve_document, methods=["GET"], tags=[TAG],
                          dependencies=[public()], response_class=Response,
                          summary=f"{path} (from the snapshot)")
    for alias in ALIASES:
        app.add_api_route(alias, serve_document, methods=["GET"], dependencies=[public()],
                          response_class=Response, include_in_schema=False)
    app.include_router(router)
    documents = [*FIXED_PATHS, *ALIASES]
    heads: list[tuple[str, Callable[..., Response]]] = [
        *((p, serve_document) for p in documents),
        (COMPONENT_BADGE, component_badge), (INCIDENT_PAGE, incident_page)]
    for path, endpoint in heads:
        app.add_api_route(path, endpoint, methods=["HEAD"], dependencies=[public()],
                          response_class=Response, include_in_schema=False)
    for path in documents:
        if path != PAGE_PREFIX:
            app.add_api_route(path, preflight, methods=["OPTIONS"], dependencies=[public()],
                              response_class=Response, include_in_schema=False)
    _watch_while_running(app, snapshots)


def wrap(app: FastAPI, entry: ASGIApp) -> ASGIApp:
    """The fast layer in front of ``entry`` (the app as served)."""
    return FastLane(entry, app.state.statuspage)


def serve_document(request: Request) -> Response:
    """A prepared public response (200, or 304 to a conditional request)."""
    document = request.app.state.statuspage.current().documents.get(request.url.path)
    if document is None:
        raise NotFound(f"There is nothing at {request.url.path} on the status page.")
    status, headers, body = answer(document, request.method, request.headers.raw)
    response = Response(content=body, status_code=status)
    response.raw_headers = list(headers)
    return response


def preflight(request: Request) -> Response:
    """A browser's CORS preflight before a widget on another site reads the JSON."""
    response = Response(status_code=204)
    response.raw_headers = list(PREFLIGHT)
    return response


@router.get(COMPONENT_BADGE, response_class=Response)
def component_badge(request: Request,
                    component: Annotated[str, Path(max_length=100)]) -> Response:
    """An SVG badge with one component's status (by name or id)."""
    return serve_document(request)


@router.get(INCIDENT_PAGE, response_class=Response)
def incident_page(request: Request, code: Annotated[str, Path(max_length=12)]) -> Response:
    """One public incident or maintenance with all its updates."""
    return serve_document(request)


@router.post("/status/subscribe", response_class=HTMLResponse)
def subscribe(request: Request, email: Annotated[str, Form(max_length=320)]) -> Response:
    """The page's email form: sends a confirmation link (double opt-in)."""
    def act() -> tuple[str, str]:
        with write_unit(request, SUBSCRIBER) as uow:
            subscribers.subscribe_email(uow, email=email)
        return ("Check your inbox", "If this address is not subscribed yet, a confirmation "
                "link is on its way. Nothing else is sent until you open it.")
    return _page(request, act, status=202)


@router.get("/status/subscriptions/confirm", response_class=HTMLResponse)
def confirm_form(request: Request, token: Token = None) -> Response:
    """The confirmation link: a button, so that mail scanners opening links
    do not subscribe anyone."""
    return _button_page(request, token, purpose=subscribers.CONFIRM,
                        heading="Confirm your subscription", button="Confirm subscription",
                        text="Press the button to start receiving status updates.",
                        action="/status/subscriptions/confirm")


@router.post("/status/subscriptions/confirm", response_class=HTMLResponse)
def confirm(request: Request, token: Token = None, form_token: FormToken = None) -> Response:
    def act() -> tuple[str, str]:
        with write_unit(request, SUBSCRIBER) as uow:
            subscribers.confirm(uow, token=_token(token, form_token))
        return ("You are subscribed", "You will receive an email when we post an incident "
                "or maintenance update. Every message has a one-click unsubscribe link.")
    return _page(request, act)


@router.get("/status/subscriptions/unsubscribe", response_class=HTMLResponse)
def unsubscribe_form(request: Request, token: Token = None) -> Response:
    return _button_page(request, token, purpose=subscribers.UNSUBSCRIBE,
                        heading="Unsubscribe", button="Unsubscribe",
                        text="Press the button to stop receiving status updates.",
                        action="/status/subscriptions/unsubscribe")


@router.post("/status/subscriptions/unsubscribe", response_class=HTMLResponse)
def unsubscribe(request: Request, token: Token = None, form_token: FormToken = None
                ) -> Response:
    """Unsubscribe: the page's button, or a mail client's one-click POST
    (RFC 8058, token in the query, body ``List-Unsubscribe=One-Click``)."""
    def act() -> tuple[str, str]:
        with write_unit(request, SUBSCRIBER) as uow:
            subscribers.unsubscribe(uow, token=_token(token, form_token))
        return "You are unsubscribed", "You will not receive status updates any more."
    return _page(request, act)


def _button_page(request: Request, token: str | None, *, purpose: str, heading: str,
                 button: str, text: str, action: str) -> Response:
    def check() -> tuple[str, str]:
        clock = request.app.state.clock
        try:
            with read_session(request) as session:
                key = links.current_key(session)
            links.verify(key, _token(token, None), purpose=purpose, now=clock.now())
        except Problem as problem:
            if problem.status == 403:
                raise BadRequest("This link is not valid: it was altered or cut short. Copy "
                                 "the whole link from the email.") from None
            raise
        return heading, text
    return _page(request, check, form_action=action, token=token or "", button=button)


def _page(request: Request, act: Callable[[], tuple[str, str]], *, status: int = 200,
          **form: Any) -> Response:
    """Run ``act`` and show its outcome as a small HTML page; a refused link
    or address is shown the same way, with the problem's status."""
    data = request.app.state.statuspage.current().data
    try:
        heading, text = act()
    except Problem as problem:
        return HTMLResponse(render.message_page(data, heading="That did not work",
                                                text=problem.detail),
                            status_code=problem.status)
    return HTMLResponse(render.message_page(data, heading=heading, text=text, **form),
                        status_code=status)


def _token(query: str | None, form: str | None) -> str:
    token = (query or form or "").strip()
    if not token:
        raise BadRequest("This link has no token; copy the whole link from the email.")
    return token


def _watch_while_running(app: FastAPI, snapshots: Snapshots) -> None:
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(running: Any) -> AsyncIterator[Any]:
        snapshots.start()
        try:
            async with inner(running) as state:
                yield state
        finally:
            snapshots.stop()

    app.router.lifespan_context = lifespan
