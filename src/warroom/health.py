"""``/health``: the process is up and its database can be read and written.

A database that answers ``SELECT 1`` can still refuse every write (disk full,
a file or volume that became read-only, a PostgreSQL replica after a
fail-over); the receivers then answer 503 to every alert while a load
balancer keeps sending them traffic. So the check commits a one-row write.
The endpoint needs no token, so a flood of probes must not become a flood of
writes: one write check runs at a time, and its answer is reused for
:data:`WRITE_CHECK_SECONDS`.
"""

from __future__ import annotations

import threading
import time

import structlog
from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.responses import Response

from warroom.auth import service as users
from warroom.db import Database
from warroom.errors import Unavailable
from warroom.http import problem_response

log = structlog.get_logger("warroom.health")
WRITE_CHECK_SECONDS = 2.0


class WriteCheck:
    """The last answer to "can the database store a row?", refreshed at most
    every :data:`WRITE_CHECK_SECONDS`."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.checked = -WRITE_CHECK_SECONDS
        self.failure: str | None = None

    def failure_for(self, request: Request) -> str | None:
        with self.lock:
            if time.monotonic() - self.checked >= WRITE_CHECK_SECONDS:
                self.failure = _probe(request.app.state.database, request)
                self.checked = time.monotonic()
            return self.failure


def _probe(database: Database, request: Request) -> str | None:
    try:
        database.ping()
    except Exception as failed:
        log.warning("health check failed", error=str(failed)[:200])
        return "The database cannot be reached."
    try:
        database.check_writable(request.app.state.clock.now())
    except Exception as failed:
        log.warning("database refuses writes", error=str(failed)[:200])
        return ("The database can be read but refuses writes (is the disk full or the "
                "database read-only?); alerts cannot be stored.")
    return None


def health(request: Request) -> Response:
    """200 when the database is reachable and writable, 503 with the reason otherwise."""
    failure = request.app.state.write_check.failure_for(request)
    if failure is not None:
        return problem_response(Unavailable(failure), headers={"Retry-After": "5"})
    answer = {"status": "ok", "database": "ok"}
    with request.app.state.database.read() as session:
        if warning := users.unreachable_admins(session):
            answer["detail"] = warning
    return JSONResponse(answer)
