"""``POST /v2/enqueue``: PagerDuty Events API v2, request and answer shapes."""

from __future__ import annotations

import re

import pytest


@pytest.fixture
def routing_key(client, people) -> str:
    answer = client.post("/api/v1/integrations", json={"name": "legacy-monitor",
                                                       "kind": "pagerduty"},
                         headers=people.admin)
    assert answer.status_code == 201, answer.text
    return answer.json()["key"]


def trigger(**fields):
    return {"event_action": "trigger",
            "payload": {"summary": "Checkout latency above 2s", "source": "shop-web-1",
                        "severity": "error", "component": "checkout", "group": "shop",
                        "class": "latency", "custom_details": {"p95": 2.4}},
            **fields}


def test_a_trigger_answers_like_pagerduty(client, routing_key):
    answer = client.post("/v2/enqueue", json=trigger(routing_key=routing_key,
                                                     dedup_key="checkout-latency"))
    assert answer.status_code == 202
    assert answer.json() == {"status": "success", "message": "Event processed",
                             "dedup_key": "checkout-latency"}


def test_a_trigger_opens_an_incident_with_the_mapped_severity(client, routing_key, send):
    client.post("/v2/enqueue", json=trigger(routing_key=routing_key))
    incident = send.incident("INC-1")
    assert (incident["severity"], incident["title"]) == ("sev2", "Checkout latency above 2s")
    (stored,) = send.alerts()
    assert stored["source"] == "pagerduty"
    assert stored["labels"] == {"alertname": "latency", "source": "shop-web-1",
                                "severity": "error", "component": "checkout",
                                "group": "shop", "class": "latency"}
    assert stored["annotations"]["details"] == {"p95": 2.4}


def test_without_a_dedup_key_one_is_made_and_returned(client, routing_key, send):
    answer = client.post("/v2/enqueue", json=trigger(routing_key=routing_key))
    key = answer.json()["dedup_key"]
    assert re.fullmatch(r"[0-9a-f]{32}", key)
    assert send.alerts()[0]["dedup_key"] == key


def test_acknowledge_acknowledges_the_incident(client, routing_key, send):
    client.post("/v2/enqueue", json=trigger(routing_key=routing_key, dedup_key="k1"))
    answer = client.post("/v2/enqueue", json={"routing_key": routing_key,
                                              "event_action": "acknowledge", "dedup_key": "k1"})
    assert answer.status_code == 202
    incident = send.incident("INC-1")
    assert incident["acknowledged_by"] == "integration:legacy-monitor"
    assert incident["phase"] == "triage"
    assert send.alerts()[0]["acknowledged_at"] is not None
    assert send.alerts()[0]["status"] == "firing"


def test_resolve_resolves_the_alert(client, routing_key, send):
    client.post("/v2/enqueue", json=trigger(routing_key=routing_key, dedup_key="k1"))
    answer = client.post("/v2/enqueue", json={"routing_key": routing_key,
                                              "event_action": "resolve", "dedup_key": "k1"})
    assert answer.status_code == 202
    (stored,) = send.alerts()
    assert stored["status"] == "resolved"
    assert stored["labels"]["component"] == "checkout"
    assert send.timeline("INC-1", kind="alert")[-1]["summary"] == \
        "All alerts of INC-1 have resolved"


def test_resolving_an_unknown_key_changes_nothing(client, routing_key, send):
    answer = client.post("/v2/enqueue", json={"routing_key": routing_key,
                                              "event_action": "resolve", "dedup_key": "nope"})
    assert answer.status_code == 202
    assert send.alerts() == []


@pytest.mark.parametrize(("body", "error"), [
    ({"event_action": "trigger"}, "'payload' is missing"),
    ({"event_action": "resolve"}, "'dedup_key' is missing"),
    ({"event_action": "explode", "payload": {}}, "event_action"),
    ({"event_action": "trigger", "payload": {"summary": "x", "source": "y",
                                             "severity": "urgent"}}, "payload.severity"),
])
def test_bad_events_get_pagerdutys_error_shape(client, routing_key, body, error):
    answer = client.post("/v2/enqueue", json={"routing_key": routing_key, **body})
    assert answer.status_code == 400
    payload = answer.json()
    assert (payload["status"], payload["message"]) == ("invalid event",
                                                       "Event object is invalid")
    assert any(error in sentence for sentence in payload["errors"]), payload


def test_an_unknown_routing_key_is_refused(client, send):
    answer = client.post("/v2/enqueue", json=trigger(routing_key="0" * 32))
    assert answer.status_code == 400
    assert "routing_key" in answer.json()["errors"][0]
    assert send.alerts() == []


def test_a_bearer_token_may_stand_in_for_the_routing_key(client, people, send):
    answer = client.post("/v2/enqueue", json=trigger(routing_key="anything"),
                         headers=people.headers("responder"))
    assert answer.status_code == 202
    assert send.alerts()[0]["source"] == "pagerduty"


def test_a_key_of_another_kind_does_not_work_here(client, people):
    other = client.post("/api/v1/integrations", json={"name": "am", "kind": "alertmanager"},
                        headers=people.admin).json()["key"]
    answer = client.post("/v2/enqueue", json=trigger(routing_key=other))
    assert answer.status_code == 400
