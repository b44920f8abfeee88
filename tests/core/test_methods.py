"""405 Method Not Allowed: the ``Allow`` header names every method of the
path, and a method a literal path does not take is a 405 even where a
templated path of the same shape takes it."""

from __future__ import annotations

from collections import defaultdict

import pytest
from fastapi.testclient import TestClient

from tests.core.test_route_permissions import concrete_path
from warroom.app import served
from warroom.http import api_routes

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@pytest.fixture
def lanes(app):
    """The app as ``warroom serve`` runs it, fast lanes in front."""
    with TestClient(served(app), raise_server_exceptions=False) as client:
        yield client


def refused(answer) -> list[str]:
    assert answer.status_code == 405, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    return answer.headers["allow"].split(", ")


def test_allow_lists_every_method_of_the_path(client, people):
    assert refused(client.delete("/api/v1/incidents", headers=people.admin)) == ["GET", "POST"]
    assert refused(client.put("/api/v1/incidents/INC-1", headers=people.admin)) == \
        ["GET", "PATCH"]
    assert refused(client.post("/api/v1/routing/rules/x", headers=people.admin)) == \
        ["DELETE", "GET", "PUT"]


def test_get_on_a_post_only_path_is_405_not_a_validation_error(client, people):
    answer = client.get("/api/v1/alerts/alertmanager", headers=people.admin)
    assert refused(answer) == ["POST"]
    assert answer.json()["detail"] == ("GET is not allowed on /api/v1/alerts/alertmanager; "
                                       "use POST.")
    assert refused(client.get("/api/v1/alerts/generic", headers=people.admin)) == ["POST"]


def test_the_fast_lanes_refuse_other_methods_with_the_same_answer(lanes, people):
    for path in ("/api/v1/alerts/alertmanager", "/api/v1/alerts/generic", "/v2/enqueue"):
        assert refused(lanes.get(path, headers=people.admin)) == ["POST"], path
    assert refused(lanes.get("/api/v1/alerts/generic/" + "0" * 32)) == ["POST"]
    assert refused(lanes.post("/status")) == ["GET", "HEAD"]
    assert refused(lanes.delete("/api/v2/summary.json")) == ["GET", "HEAD", "OPTIONS"]


def test_every_path_refuses_the_methods_it_lacks_naming_all_it_takes(client):
    by_path: dict[str, set[str]] = defaultdict(set)
    for route in api_routes(client.app):
        by_path[concrete_path(route)] |= route.methods
    wrong = []
    for path, methods in by_path.items():
        for method in sorted(set(METHODS) - methods):
            answer = client.request(method, path)
            allow = answer.headers.get("allow", "")
            if answer.status_code != 405 or set(allow.split(", ")) != methods:
                wrong.append(f"{method} {path}: {answer.status_code} Allow: {allow!r} "
                             f"(expected {sorted(methods)})")
    assert not wrong, "\n".join(wrong)


def test_an_allowed_method_still_reaches_its_route(client, people):
    assert client.get("/api/v1/alerts/999999", headers=people.admin).status_code == 404
    assert client.get("/api/v1/alerts/not-a-number", headers=people.admin).status_code == 422
