"""The receivers' fast lane: a raw ASGI layer that ``warroom serve`` puts in
front of the app, so that alert deliveries skip FastAPI's routing table,
dependency solving and middleware stack (a monitoring storm is thousands of
small requests a second).

It runs exactly the route functions of :mod:`warroom.intake.sources.api`, with
the same authentication, limits and answers; errors get the same
``application/problem+json`` bodies as the app gives them, and each request
is counted in the app's HTTP metrics under its route. Everything that is not
a POST to a receiver goes on to the app unchanged, and the app itself keeps
the ordinary routes (for the OpenAPI document and for tests).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

import structlog
from fastapi import FastAPI
from sqlalchemy.exc import OperationalError
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from warroom.auth.deps import Requirement
from warroom.auth.permissions import Permission
from warroom.errors import BadRequest, PayloadTooLarge, Problem, Unavailable
from warroom.http import problem_response
from warroom.intake.sources import api as receivers
from warroom.text import refuse_nul

log = structlog.get_logger("warroom.intake.lane")
Handler = Callable[[Request, str | None], Awaitable[Response]]
_WRITER = Requirement(Permission.alert_write)


async def _alertmanager(request: Request, key: str | None) -> Response:
    if key is None:
        return await receivers.alertmanager(request, _WRITER(request))
    return await receivers.alertmanager_integration(key, request)


async def _generic(request: Request, key: str | None) -> Response:
    if key is None:
        return await receivers.generic(request, _WRITER(request))
    return await receivers.generic_integration(key, request)


async def _pagerduty(request: Request, key: str | None) -> Response:
    return await receivers.pagerduty_enqueue(request)


async def _pagerduty_change(request: Request, key: str | None) -> Response:
    return await receivers.pagerduty_change(request)


# receiver path -> (handler, route template for metrics); a key may follow the path
ROUTES: dict[str, tuple[Handler, str]] = {
    "/api/v1/alerts/alertmanager": (_alertmanager, "/api/v1/alerts/alertmanager"),
    "/api/v1/alerts/generic": (_generic, "/api/v1/alerts/generic"),
    "/v2/enqueue": (_pagerduty, "/v2/enqueue"),
    "/v2/change/enqueue": (_pagerduty_change, "/v2/change/enqueue"),
}


def mount(app: FastAPI) -> None:
    """Nothing to add: the receivers are ordinary routes of the app as well."""


def wrap(app: FastAPI, entry: ASGIApp) -> ASGIApp:
    return ReceiverLane(entry, app)


class ReceiverLane:
    def __init__(self, entry: ASGIApp, app: FastAPI) -> None:
        self.entry = entry
        self.app = app
        self.max_bytes = app.state.settings.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = _route(scope) if scope["type"] == "http" and scope["method"] == "POST" else None
        if found is None:
            await self.entry(scope, receive, send)
            return
        (handler, template), key = found
        started = time.perf_counter()
        response = await self._answer(scope, receive, handler, key)
        await response(scope, receive, send)
        metrics = self.app.state.metrics
        metrics.requests.labels("POST", template + ("/{integration_key}" if key else ""),
                                str(response.status_code)).inc()
        metrics.latency.labels(template).observe(time.perf_counter() - started)

    async def _answer(self, scope: Scope, receive: Receive, handler: Handler,
                      key: str | None) -> Response:
        scope["app"] = self.app
        try:
            body = await _read(scope, receive, self.max_bytes)
            refuse_nul(scope, body)
            return await handler(Request(scope, _replay(body)), key)
        except Problem as problem:
            return problem_response(problem, instance=scope["path"])
        except ClientDisconnect:
            # nothing is stored from a body cut short; the answer goes nowhere
            return problem_response(BadRequest("The client left before sending the whole body.",
                                               title="Incomplete request"),
                                    instance=scope["path"])
        except OperationalError as unavailable:
            log.warning("database unavailable", error=str(unavailable.orig)[:200])
            return problem_response(Unavailable("The database is unavailable right now; "
                                                "nothing was stored. Retry shortly."),
                                    instance=scope["path"], headers={"Retry-After": "2"})
        except Exception:
            # the path may hold an integration key: log the receiver, not the path
            log.exception("unhandled error", receiver=handler.__name__)
            return problem_response(Problem("Something went wrong on our side; the error "
                                            "was logged.", status=500, title="Internal error"),
                                    instance=scope["path"])


def _route(scope: Scope) -> tuple[tuple[Handler, str], str | None] | None:
    path: str = scope["path"]
    exact = ROUTES.get(path)
    if exact is not None:
        return exact, None
    prefix, _, key = path.rpartition("/")
    found = ROUTES.get(prefix)
    if found is None or prefix.startswith("/v2/") or not key:
        return None
    return found, key


async def _read(scope: Scope, receive: Receive, limit: int) -> bytes:
    for name, value in scope["headers"]:
        if name == b"content-length" and value.isdigit() and int(value) > limit:
            raise _too_large(limit)
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect  # before the last chunk (or the body deadline passed)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(f"Request bodies are limited to {limit} bytes "
                           "(WARROOM_MAX_BODY_BYTES).")
