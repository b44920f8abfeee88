"""The fast-lane kernel: what a raw ASGI layer in front of the app shares with
the app, written once.

``warroom serve`` puts a domain's lane in front of FastAPI so that requests
that come by the thousand (alert deliveries, status page reads) skip routing,
dependency solving and the middleware stack. A lane must still answer exactly
as the app does, so the parts that decide an answer live here and the app's
own middlewares and error handlers use them too:

* :class:`BodyLimit`: ``WARROOM_MAX_BODY_BYTES``, the declared-length check,
  the counted read and the 413 problem (the app's ``BodyLimitMiddleware``);
* :func:`problem_answer`: an exception to its ``application/problem+json``
  answer, with its log line (the app's exception handlers);
* :func:`record`: the request counter and latency histogram
  (the app's ``MetricsMiddleware``);
* :class:`Lane`: the layer itself. A subclass says what it answers:
  :meth:`Lane.prepared` for bytes ready to send (the status page's snapshot),
  :meth:`Lane.route` for a route function run behind the body limit, the NUL
  guard, the problem mapping and the metrics (the receivers). Everything else
  goes on to the app unchanged.

The hot path adds nothing per request over a hand-written layer: no await
or allocation beyond the answer's own.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy.exc import IntegrityError
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from warroom.db import unavailable
from warroom.errors import BadRequest, Conflict, PayloadTooLarge, Problem, Unavailable
from warroom.http import problem_response
from warroom.text import refuse_nul

if TYPE_CHECKING:
    from fastapi import FastAPI
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from warroom.metrics import Metrics

log = structlog.get_logger("warroom.lane")

Headers = list[tuple[bytes, bytes]]
Prepared = tuple[int, Headers, bytes]
"""A whole answer ready to send: status, raw headers, body."""
Handler = Callable[[Request, str | None], Awaitable[Response]]
"""A lane's route function: the request and the path's trailing argument, if any."""
Route = tuple[Handler, str, str | None]
"""What :meth:`Lane.route` found: the handler, its route template (the metrics
label, as the app's route would have it) and the trailing argument."""
BODYLESS = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods whose body is never read, so never limited or scanned."""
_RETRY_SOON = {"Retry-After": "2"}


class BodyLimit:
    """The one body limit: a declared ``Content-Length`` over it is refused
    before reading, a body that grows past it while arriving as well."""

    __slots__ = ("max_bytes",)

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes

    def declared_over(self, scope: Scope) -> bool:
        for name, value in scope["headers"]:
            if name == b"content-length":
                return value.isdigit() and int(value) > self.max_bytes
        return False

    def problem(self) -> PayloadTooLarge:
        return PayloadTooLarge(f"Request bodies are limited to {self.max_bytes} bytes "
                               "(WARROOM_MAX_BODY_BYTES).")

    async def read(self, scope: Scope, receive: Receive) -> bytes:
        """The whole body, or :class:`PayloadTooLarge`, or ``ClientDisconnect``
        when the client left (or the body deadline passed) before its end."""
        if self.declared_over(scope):
            raise self.problem()
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientDisconnect
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                raise self.problem()
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def problem_for(error: Exception, **context: Any) -> tuple[Problem, dict[str, str] | None]:
    """The problem (and headers) that answer ``error``, logged as it deserves:
    a domain problem as it is, the database gone as 503 to retry, a write that
    lost a race as 409, a body cut short as 400, anything else as a logged 500.
    ``context`` names the request in the log line of a 500."""
    if isinstance(error, Problem):
        return error, None
    if unavailable(error):
        # the type only: a database error's text quotes the statement's parameters
        cause = getattr(error, "orig", None) or error
        log.warning("database unavailable", error=type(cause).__name__)
        return Unavailable("The database is unavailable right now; nothing was stored. "
                           "Retry shortly."), _RETRY_SOON
    if isinstance(error, IntegrityError):
        log.warning("integrity error", error=str(error.orig)[:200])
        return Conflict("This change conflicts with data that was stored at the same "
                        "moment; nothing was changed. Retry it."), None
    if isinstance(error, ClientDisconnect):
        # nothing is stored from a body cut short; the answer goes nowhere
        return BadRequest("The client left before sending the whole body.",
                          title="Incomplete request"), None
    log.error("unhandled error", exc_info=error, **context)
    return Problem("Something went wrong on our side; the error was logged.", status=500,
                   title="Internal error"), None


def problem_answer(error: Exception, instance: str, **context: Any) -> Response:
    """:func:`problem_for` as a ``problem+json`` response about ``instance``."""
    problem, headers = problem_for(error, **context)
    return problem_response(problem, instance=instance, headers=headers)


def record(metrics: Metrics, method: str, route: str, status: int, started: float) -> None:
    """Count one answered request under its route template and time it from
    ``started`` (a ``perf_counter`` reading)."""
    metrics.requests.labels(method, route, str(status)).inc()
    metrics.latency.labels(route).observe(time.perf_counter() - started)


class Lane:
    """A raw ASGI layer in front of ``entry`` (the app as served). It answers
    what :meth:`prepared` or :meth:`route` finds and hands the rest on."""

    def __init__(self, entry: ASGIApp, app: FastAPI | None = None) -> None:
        self.entry = entry
        self.app = app
        if app is not None:
            self.limit = BodyLimit(app.state.settings.max_body_bytes)
            self.metrics: Metrics = app.state.metrics

    def prepared(self, scope: Scope) -> Prepared | None:
        """An answer ready to send for this HTTP request, or None."""
        return None

    def route(self, scope: Scope) -> Route | None:
        """The route function that answers this HTTP request, or None. Only a
        lane built with the app (its settings and metrics) may find one."""
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            ready = self.prepared(scope)
            if ready is not None:
                await send({"type": "http.response.start", "status": ready[0],
                            "headers": ready[1]})
                await send({"type": "http.response.body", "body": ready[2]})
                return
            found = self.route(scope)
            if found is not None:
                await self._serve(found, scope, receive, send)
                return
        await self.entry(scope, receive, send)

    async def _serve(self, found: Route, scope: Scope, receive: Receive, send: Send) -> None:
        handler, template, argument = found
        started = time.perf_counter()
        response = await self._answer(handler, argument, scope, receive)
        await response(scope, receive, send)
        record(self.metrics, scope["method"], template, response.status_code, started)

    async def _answer(self, handler: Handler, argument: str | None, scope: Scope,
                      receive: Receive) -> Response:
        """What the app would answer: the same limit, guard and problems."""
        scope["app"] = self.app
        try:
            body = await self.limit.read(scope, receive)
            refuse_nul(scope, body)
            return await handler(Request(scope, _replay(body)), argument)
        except Exception as error:
            # the path may hold an integration key: log the handler, not the path
            return problem_answer(error, scope["path"], handler=handler.__name__)


def _replay(body: bytes) -> Receive:
    """The body read once, then the client's departure."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
