"""Helpers every domain router shares: units of work bound to the request,
pagination, and problem+json responses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Generic, TypeVar

import annotated_types
import orjson
from fastapi import Request
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy.orm import Session
from starlette.responses import Response

from warroom.db import Actor, Database, UnitOfWork
from warroom.errors import Problem

T = TypeVar("T")
PROBLEM_JSON = "application/problem+json"

DB_INT_MIN, DB_INT_MAX = -(2**31), 2**31 - 1
DbInt = Annotated[int, annotated_types.Interval(ge=DB_INT_MIN, le=DB_INT_MAX)]
"""An integer every supported database can store and compare: ids and
sequence numbers are ``INTEGER`` columns, 32-bit signed on PostgreSQL (SQLite
allows 64). Every integer a request carries into a query uses it, so that a
larger number is a 422 naming the limit instead of reaching the database and
failing there with a 500. Narrow it further where needed:
``Annotated[DbInt, Query(ge=0)]``."""


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


@contextmanager
def write_unit(request: Request, actor: Actor) -> Iterator[UnitOfWork]:
    """A unit of work for this request; it commits before the route answers."""
    database: Database = request.app.state.database
    with database.unit_of_work(actor, source_ip=client_ip(request),
                               clock=request.app.state.clock) as uow:
        yield uow


@contextmanager
def read_session(request: Request) -> Iterator[Session]:
    with request.app.state.database.read() as session:
        yield session


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


def problem_response(problem: Problem, instance: str | None = None,
                     headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(problem.body(instance)), status_code=problem.status,
                    media_type=PROBLEM_JSON, headers=headers)


def problem_body(status: int, title: str, detail: str, **extra: Any) -> bytes:
    body = {"type": f"https://warroom.dev/problems/{title.lower().replace(' ', '-')}",
            "title": title, "status": status, "detail": detail, **extra}
    return orjson.dumps(body)


def api_routes(app: Any) -> list[Any]:
    """Every APIRoute of the app, looking inside included routers (recent
    FastAPI versions keep included routers as a lazy branch)."""
    found: list[Any] = []
    stack = list(app.routes)
    while stack:
        route = stack.pop(0)
        if isinstance(route, APIRoute):
            found.append(route)
        elif hasattr(route, "original_router"):
            stack.extend(route.original_router.routes)
    return found
