"""Statuspage's error answers: ``{"error": "<sentence>"}`` with Statuspage's
status codes. The body is also a valid problem document (``type``, ``title``,
``status``, ``detail``), so warroom's own tooling reads it like any other."""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import orjson
from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from warroom.errors import Problem
from warroom.http import PROBLEM_JSON
from warroom.text import invalid_input

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine

STATUSPAGE_STATUS = {409: 422, 410: 404}
"""warroom statuses Statuspage never answers, and what it answers instead."""


def error_response(status: int, sentence: str, extra: dict[str, Any] | None = None
                   ) -> Response:
    status = STATUSPAGE_STATUS.get(status, status)
    try:
        title = HTTPStatus(status).phrase
    except ValueError:
        title = "Error"
    body = {"error": sentence, "type": f"https://warroom.dev/problems/statuspage-{status}",
            "title": title, "status": status, "detail": sentence, **(extra or {})}
    return Response(orjson.dumps(body), status_code=status, media_type=PROBLEM_JSON)


class StatuspageRoute(APIRoute):
    """A route whose errors (its permission check and body parsing included)
    answer in Statuspage's format rather than warroom's problem+json (a 405
    from the method guard too: it calls :meth:`refuse`)."""

    @staticmethod
    def refuse(request: Request, problem: Problem) -> Response:
        return error_response(problem.status, problem.detail, problem.extra)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            try:
                return await handler(request)
            except Problem as problem:
                return error_response(problem.status, problem.detail, problem.extra)
            except RequestValidationError as invalid:
                converted = invalid_input(invalid.errors())
                return error_response(converted.status, converted.detail, converted.extra)

        return answer
