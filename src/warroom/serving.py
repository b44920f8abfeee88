"""How ``warroom serve`` holds up against clients that open connections and
never finish a request (idle sockets, slowloris, slow bodies).

Every open connection costs a file descriptor, and the process shares its
descriptors with the database and the worker that delivers pages. Once a
client has taken them all, ``accept`` fails, no alert gets in and no page
goes out. So the HTTP protocol that uvicorn runs here adds:

* a header timeout: a request's headers must arrive within
  ``WARROOM_HTTP_HEADER_TIMEOUT_SECONDS`` of its first byte (or of the
  connection opening); uvicorn only times out idle keep-alive connections;
* a body timeout: its body within ``WARROOM_HTTP_BODY_TIMEOUT_SECONDS`` of
  its headers; both answer 408 and close;
* a connection cap below the open-file limit, so descriptors stay free for
  the database and the worker; a new connection over the cap closes the
  connection that has waited longest without a complete request in it, so
  a crowd of idle sockets cannot keep a real sender out;
* a limit on requests being handled at once
  (``WARROOM_HTTP_MAX_CONCURRENCY``); more get a problem+json 503 with
  Retry-After. Unlike uvicorn's ``limit_concurrency``, idle connections do
  not count against it.
"""

from __future__ import annotations

import functools
import resource
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from warroom.config import get_settings
from warroom.http import PROBLEM_JSON, problem_body
from warroom.streamed import is_streamed

if TYPE_CHECKING:
    import asyncio

    from warroom.config import Settings

FD_RESERVE_SHARE = 4
"""A quarter of the open-file limit (at least 64) is kept out of the
connection cap for database connections, outbound deliveries and logs."""


@dataclass(frozen=True)
class Limits:
    header_seconds: float
    body_seconds: float
    max_concurrency: int
    max_connections: int


def limits_from(settings: Settings) -> Limits:
    return Limits(header_seconds=settings.http_header_timeout_seconds,
                  body_seconds=settings.http_body_timeout_seconds,
                  max_concurrency=settings.http_max_concurrency,
                  max_connections=settings.http_max_connections or default_max_connections())


def default_max_connections() -> int:
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 100_000
    return max(16, soft - max(64, soft // FD_RESERVE_SHARE))


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run``: the guarded protocol, and
    uvicorn's own connection-counting limit off (ours replaces it)."""
    return {"http": guarded_protocol(limits_from(settings)), "limit_concurrency": None}


def guarded_protocol(limits: Limits) -> type[GuardedProtocol]:
    return type("GuardedHttpProtocol", (GuardedProtocol,), {"limits": limits})


@functools.cache
def _limits_of_this_process() -> Limits:
    return limits_from(get_settings())


def guarded_protocol_path() -> str:
    """The guarded protocol as an import string, for ``warroom serve
    --workers N``: uvicorn starts its worker processes with ``spawn`` and
    sends them its configuration pickled, which a class made at run time
    (:func:`guarded_protocol`) cannot be; each worker process imports this
    one, which reads the limits from its own (inherited) settings."""
    return f"{__name__}:SettingsGuardedProtocol"


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the timeouts and caps above."""

    limits: ClassVar[Limits]

    # uvicorn's own protocol narrows BaseTransport to Transport the same way.
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self.waiting_since = time.monotonic()
        self.deadline: asyncio.TimerHandle | None = None
        self.streamed = False
        super().connection_made(transport)
        self._arm(self.limits.header_seconds)
        if len(self.connections) > self.limits.max_connections:
            _evict_longest_waiting(self.connections, keep=self)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.waiting_since = time.monotonic()
        self._arm(self.limits.header_seconds)

    def on_headers_complete(self) -> None:
        self._arm(self.limits.body_seconds)
        self.streamed = is_streamed(self.url.split(b"?", 1)[0].decode("latin-1"))
        if len(self.tasks) < self.limits.max_concurrency:
            super().on_headers_complete()
            return
        app, self.app = self.app, too_busy
        try:
            super().on_headers_complete()
        finally:
            self.app = app

    def on_body(self, body: bytes) -> None:
        if self.streamed:  # a streamed upload: the deadline is for the next chunk
            self._arm(self.limits.body_seconds)
        super().on_body(body)

    def on_message_complete(self) -> None:
        self._disarm()
        super().on_message_complete()

    def on_response_complete(self) -> None:
        self.waiting_since = time.monotonic()
        super().on_response_complete()

    @property
    def request_received(self) -> bool:
        """A whole request is in and being answered: never evicted."""
        cycle = self.cycle
        return cycle is not None and not cycle.response_complete and not cycle.more_body

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self.deadline = self.loop.call_later(seconds, self._too_slow)

    def _disarm(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    def _too_slow(self) -> None:
        """The header or body deadline passed: 408 (unless an answer has begun), close."""
        self.deadline = None
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            if cycle.response_started:
                self.transport.close()
                return
            cycle.disconnected = True  # the app sees the client leave; its answer is dropped
            cycle.message_event.set()
        self.transport.write(_timeout_response())
        self.transport.close()


class SettingsGuardedProtocol(GuardedProtocol):
    """The guarded protocol with the limits of this process's settings."""

    @property
    def limits(self) -> Limits:  # type: ignore[override]  # read in the worker process
        return _limits_of_this_process()


def _evict_longest_waiting(connections: set[Any], keep: GuardedProtocol) -> None:
    waiting = [c for c in connections if c is not keep and isinstance(c, GuardedProtocol)
               and not c.request_received and not c.transport.is_closing()]
    if waiting:
        min(waiting, key=lambda c: c.waiting_since).transport.close()
    else:
        keep.transport.close()


def _timeout_response() -> bytes:
    body = problem_body(408, "Request timeout", "The request did not arrive in time "
                        "(WARROOM_HTTP_HEADER_TIMEOUT_SECONDS, WARROOM_HTTP_BODY_TIMEOUT_SECONDS);"
                        " the connection is closed.")
    return (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: " + PROBLEM_JSON.encode()
            + b"\r\ncontent-length: " + str(len(body)).encode()
            + b"\r\nconnection: close\r\n\r\n" + body)


async def too_busy(scope: Any, receive: Any, send: Any) -> None:
    """The answer while WARROOM_HTTP_MAX_CONCURRENCY requests are in hand."""
    body = problem_body(503, "Too busy", "The server is handling as many requests as it "
                        "allows at once (WARROOM_HTTP_MAX_CONCURRENCY); nothing was stored. "
                        "Retry shortly.")
    await send({"type": "http.response.start", "status": 503,
                "headers": [(b"content-type", PROBLEM_JSON.encode()),
                            (b"content-length", str(len(body)).encode()),
                            (b"retry-after", b"1"), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
