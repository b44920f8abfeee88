"""PagerDuty's error object, ``{"error": {"message", "code", "errors"}}``.

Every route of this package uses :class:`PagerDutyRoute`, which turns
warroom's problems (and FastAPI's validation errors) into that object with
PagerDuty's status codes and error codes, so a client library written for
PagerDuty reads warroom's refusals as it reads PagerDuty's. A caller that
did not speak PagerDuty's dialect (no ``Authorization: Token ...``, e.g. a
warroom bearer token) gets warroom's own answer instead (its status, e.g.
422 naming each field, and the problem+json members) with PagerDuty's
``error`` object added, so warroom's tooling and PagerDuty's both read it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException
from starlette.responses import Response

from warroom.errors import Problem
from warroom.http import PROBLEM_JSON
from warroom.text import invalid_input

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine

    from starlette.requests import Request

INVALID = (400, "Invalid Input Provided", 2001)
ARGUMENTS = (400, "Arguments Caused Error", 2002)
UNAUTHORIZED = (401, "Unauthorized", 2006)
DENIED = (403, "Access Denied", 2010)
NOT_FOUND = (404, "Not Found", 2100)
NOT_ALLOWED = (405, "Method Not Allowed", 2100)
RATE = (429, "Rate Limit Exceeded", 2020)

_BY_STATUS = {400: INVALID, 422: INVALID, 409: ARGUMENTS, 401: UNAUTHORIZED, 403: DENIED,
              404: NOT_FOUND, 405: NOT_ALLOWED, 429: RATE}


class PagerDutyError(Problem):
    """A refusal worded as PagerDuty words it (status, message and code)."""

    def __init__(self, kind: tuple[int, str, int], errors: list[str]) -> None:
        status, message, code = kind
        super().__init__(errors[0] if errors else message, status=status, title=message)
        self.code = code
        self.errors = errors


def invalid(*errors: str) -> PagerDutyError:
    return PagerDutyError(INVALID, list(errors))


def error_body(status: int, message: str, code: int, errors: list[str]) -> dict[str, Any]:
    return {"error": {"message": message, "code": code, "errors": errors}}


def speaks_pagerduty(request: Request) -> bool:
    return request.headers.get("authorization", "").lower().startswith("token ")


def respond(request: Request, problem: Problem) -> Response:
    if isinstance(problem, PagerDutyError):
        status, message, code, errors = (problem.status, problem.title, problem.code,
                                         problem.errors)
    else:
        status, message, code = _BY_STATUS.get(problem.status,
                                               (problem.status, problem.title, 2000))
        errors = [*_field_errors(problem.extra.get("errors")), problem.detail] \
            if problem.extra.get("errors") else [problem.detail]
    body = error_body(status, message, code, list(dict.fromkeys(errors)))  # each sentence once
    headers = {"Retry-After": problem.extra["retry_after"]} \
        if "retry_after" in problem.extra else None
    if speaks_pagerduty(request):
        return Response(orjson.dumps(body), status_code=status, media_type="application/json",
                        headers=headers)
    return Response(orjson.dumps({**body, **problem.body(request.url.path)}),
                    status_code=problem.status, media_type=PROBLEM_JSON, headers=headers)


def _field_errors(errors: object) -> list[str]:
    if not isinstance(errors, list):
        return []
    return [f"{e.get('field')}: {e.get('message')}" if isinstance(e, dict) else str(e)
            for e in errors]


class PagerDutyRoute(APIRoute):
    """An API route whose refusals are PagerDuty error objects (a 405 from
    the method guard too: it calls :meth:`refuse`)."""

    @staticmethod
    def refuse(request: Request, problem: Problem) -> Response:
        return respond(request, problem)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except Problem as problem:
                return respond(request, problem)
            except RequestValidationError as error:
                return respond(request, invalid_input(error.errors()))
            except HTTPException as error:
                return respond(request, Problem(str(error.detail), status=error.status_code))

        return route
