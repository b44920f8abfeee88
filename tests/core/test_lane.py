"""The fast-lane kernel: a lane in front of the app answers with the app's
body limit, problem mapping and request metrics, because both use the same
code (warroom.lane)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient
from psycopg import errors as pg_errors
from sqlalchemy.exc import DBAPIError, IntegrityError, InternalError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from warroom.app import served
from warroom.errors import Gone
from warroom.lane import Lane, Prepared, Route
from warroom.text import field_errors, invalid_input

if TYPE_CHECKING:
    from fastapi import FastAPI
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.types import Scope

BOOM = "/api/v1/lane-test/boom"
ERRORS = {
    "problem": lambda: Gone("This thing left."),
    "database down": lambda: OperationalError("SELECT 1", {}, Exception("gone")),
    # what a failover raises, one after the other: the old primary's
    # connections cut, a transaction on a host that is (still) a replica, the
    # pool waiting for connections nobody can open
    "connection cut": lambda: DBAPIError("SELECT 1", {}, Exception("closed"),
                                         connection_invalidated=True),
    "server shutting down": lambda: OperationalError(
        "SELECT 1", {}, pg_errors.AdminShutdown("terminating connection")),
    "read-only replica": lambda: InternalError(
        "INSERT", {}, pg_errors.ReadOnlySqlTransaction("read-only transaction")),
    "pool exhausted": lambda: PoolTimeout("QueuePool limit reached"),
    "lost race": lambda: IntegrityError("INSERT", {}, Exception("duplicate key")),
    "bug": lambda: RuntimeError("password=hunter2"),
}


RAISING: dict[str, Any] = {}


class BoomLane(Lane):
    """A lane with one route whose handler raises what the test names."""

    def route(self, scope: Scope) -> Route | None:
        return (self.boom, BOOM, None) if scope["path"] == BOOM else None

    async def boom(self, request: Request, argument: str | None) -> Response:
        await request.body()
        raise RAISING["error"]()


class ReadyLane(Lane):
    def prepared(self, scope: Scope) -> Prepared | None:
        if scope["path"] == "/ready":
            return 200, [(b"content-type", b"text/plain")], b"ready"
        return None


@pytest.fixture
def boom_app(app: FastAPI) -> FastAPI:
    def boom() -> None:
        raise RAISING["error"]()

    app.add_api_route(BOOM, boom, methods=["POST"])
    return app


def answers(client: TestClient, path: str, **request: Any) -> tuple[int, dict[str, Any], str]:
    answer = client.post(path, **request)
    return answer.status_code, answer.json(), answer.headers.get("retry-after", "")


@pytest.mark.parametrize("kind", list(ERRORS))
def test_an_error_gets_the_same_problem_from_a_lane_as_from_the_app(boom_app, kind):
    RAISING["error"] = ERRORS[kind]
    from_app = answers(TestClient(boom_app, raise_server_exceptions=False), BOOM, json={})
    lane = TestClient(BoomLane(boom_app, boom_app), raise_server_exceptions=False)
    from_lane = answers(lane, BOOM, json={})
    assert from_lane == from_app
    assert from_lane[0] == {"problem": 410, "lost race": 409, "bug": 500}.get(kind, 503)
    if from_lane[0] == 503:  # every way of "no writable database": retry, never a 500
        assert from_lane[2] == "2" and "Retry shortly" in from_lane[1]["detail"]
    assert from_lane[1]["instance"] == BOOM and "hunter2" not in str(from_lane[1])


def test_an_oversized_body_gets_the_same_413_from_the_lane_as_from_the_app(app, people,
                                                                            settings):
    big = b'{"name": "' + b"x" * settings.max_body_bytes + b'"}'
    request = {"content": big, "headers": {**people.headers("responder"),
                                           "content-type": "application/json"}}
    from_app = answers(TestClient(app), "/api/v1/alerts/generic", **request)
    from_lane = answers(TestClient(served(app)), "/api/v1/alerts/generic", **request)
    assert from_lane == from_app
    status, body, _ = from_lane
    assert status == 413 and body["type"] == "https://warroom.dev/problems/payload-too-large"
    assert body["detail"] == (f"Request bodies are limited to {settings.max_body_bytes} bytes "
                              "(WARROOM_MAX_BODY_BYTES).")


def test_a_streamed_body_over_the_limit_is_refused_by_the_lane_too(app, people, settings):
    def chunks():
        yield b'{"name": "'
        yield b"x" * settings.max_body_bytes
        yield b'"}'

    headers = {**people.headers("responder"), "content-type": "application/json"}
    for client in (TestClient(app), TestClient(served(app))):
        answer = client.post("/api/v1/alerts/generic", content=chunks(), headers=headers)
        assert answer.status_code == 413, client.app
        assert answer.json()["title"] == "Request body too large"


def test_a_keyed_receiver_is_counted_and_timed_under_its_route(app, people):
    key = TestClient(app).post("/api/v1/integrations", json={"name": "g", "kind": "generic"},
                               headers=people.admin).json()["key"]
    lane = TestClient(served(app))
    assert lane.post(f"/api/v1/alerts/generic/{key}", json={"name": "X"}).status_code == 200
    registry = app.state.metrics.registry
    route = "/api/v1/alerts/generic/{integration_key}"
    assert registry.get_sample_value("warroom_http_requests_total", {
        "method": "POST", "route": route, "status": "200"}) == 1
    assert registry.get_sample_value("warroom_http_request_duration_seconds_count",
                                     {"route": route}) == 1


def test_a_prepared_lane_sends_its_bytes_and_hands_everything_else_on():
    passed: list[str] = []

    async def entry(scope: Scope, receive: Any, send: Any) -> None:
        passed.append(scope["type"] + " " + scope.get("path", ""))

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    lane = ReadyLane(entry)
    for scope in ({"type": "http", "method": "GET", "path": "/ready"},
                  {"type": "http", "method": "GET", "path": "/other"},
                  {"type": "lifespan"}):
        asyncio.run(lane(scope, receive, send))
    assert sent == [{"type": "http.response.start", "status": 200,
                     "headers": [(b"content-type", b"text/plain")]},
                    {"type": "http.response.body", "body": b"ready"}]
    assert passed == ["http /other", "lifespan "]


def test_one_converter_names_fields_in_the_body_query_and_path():
    errors = [{"type": "missing", "loc": ("body", "fields", "body"), "msg": "Field required"},
              {"type": "int_parsing", "loc": ("query", "limit"), "msg": "not an integer"},
              {"type": "missing", "loc": (0, "name"), "msg": "Field required"},
              {"type": "missing", "loc": ("body",), "msg": "Field required"}]
    assert [e["field"] for e in field_errors(errors)] == ["fields.body", "query.limit",
                                                          "0.name", "body"]
    problem = invalid_input(errors)
    assert problem.status == 422 and problem.detail.startswith("fields.body: Field required; ")


def test_malformed_json_says_where_parsing_stopped_when_it_is_known():
    from_app = invalid_input([{"type": "json_invalid", "loc": ("body", 7),
                               "ctx": {"error": "Expecting value"}}])
    from_parser = invalid_input([{"type": "json_invalid", "loc": (),
                                  "ctx": {"error": "EOF while parsing"}}])
    assert from_app.status == from_parser.status == 400
    assert from_app.detail == "The request body is not valid JSON: Expecting value " \
                              "(at character 7)."
    assert from_parser.detail == "The request body is not valid JSON: EOF while parsing."
