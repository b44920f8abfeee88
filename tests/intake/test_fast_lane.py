"""The app as ``warroom serve`` runs it: receivers answered by the fast lane
in front of FastAPI, with the same answers as the app's own routes."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.intake.conftest import am_alert, am_webhook
from tests.intake.test_durability import database_down
from warroom.app import served


@pytest.fixture
def lane(app):
    with TestClient(served(app), raise_server_exceptions=False) as client:
        yield client


def test_the_lane_receives_alertmanager_webhooks(lane, people, send):
    answer = lane.post("/api/v1/alerts/alertmanager",
                       json=am_webhook(am_alert("WebSocketServiceDown", instance="ws-1")),
                       headers=people.headers("responder"))
    assert answer.status_code == 200, answer.text
    assert answer.json()["incidents_opened"] == ["INC-1"]
    assert send.incident("INC-1")["created_by"] == "responder"


def test_the_lane_answers_problems_like_the_app(lane, people):
    headers = people.headers("responder")
    unauthenticated = lane.post("/api/v1/alerts/generic", json={"name": "X"})
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["content-type"].startswith("application/problem+json")
    forbidden = lane.post("/api/v1/alerts/generic", json={"name": "X"},
                          headers=people.headers("viewer"))
    assert forbidden.status_code == 403
    malformed = lane.post("/api/v1/alerts/generic", content=b"{", headers=headers)
    assert malformed.status_code == 400
    invalid = lane.post("/api/v1/alerts/generic", json={"name": ""}, headers=headers)
    assert invalid.status_code == 422 and invalid.json()["errors"][0]["field"] == "name"
    unknown_key = lane.post("/api/v1/alerts/generic/" + "0" * 32, json={"name": "X"})
    assert unknown_key.status_code == 404


def test_the_lane_enforces_the_body_limit(lane, people, settings):
    big = b'{"name": "' + b"x" * settings.max_body_bytes + b'"}'
    answer = lane.post("/api/v1/alerts/generic", content=big,
                       headers={**people.headers("responder"), "content-type": "application/json"})
    assert answer.status_code == 413


def test_the_lane_answers_503_when_the_database_is_gone(lane, people, database, send):
    body = {"name": "DiskFull"}
    with database_down(database):
        answer = lane.post("/api/v1/alerts/generic", json=body,
                           headers=people.headers("responder"))
        assert answer.status_code == 503 and answer.headers["retry-after"]
    assert lane.post("/api/v1/alerts/generic", json=body,
                     headers=people.headers("responder")).status_code == 200
    assert len(send.alerts()) == 1


def test_the_lane_serves_pagerduty_events_and_passes_everything_else_on(lane, people):
    key = lane.post("/api/v1/integrations", json={"name": "pd", "kind": "pagerduty"},
                    headers=people.admin).json()["key"]
    answer = lane.post("/v2/enqueue", json={"routing_key": key, "event_action": "trigger",
                                            "payload": {"summary": "s", "source": "h",
                                                        "severity": "info"}})
    assert answer.status_code == 202 and answer.json()["status"] == "success"
    assert lane.get("/api/v1/alerts", headers=people.admin).json()["total"] == 1


def test_lane_requests_are_counted_in_the_http_metrics(lane, people):
    lane.post("/api/v1/alerts/generic", json={"name": "X"}, headers=people.headers("responder"))
    text = lane.get("/metrics").text
    assert ('warroom_http_requests_total{method="POST",route="/api/v1/alerts/generic",'
            'status="200"} 1.0') in text
