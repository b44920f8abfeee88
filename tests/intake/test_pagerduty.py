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
    assert stored["labels"] == {"alertname": "Checkout latency above 2s", "source": "shop-web-1",
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


def _rule(send, **fields) -> None:
    answer = send.client.post("/api/v1/routing/rules", json={
        "name": "shop-latency", "match": {"component": "checkout"}, "type": "service_outage",
        "severity": "high", "group_by": ["component"], "on_all_resolved": "recovery",
        **fields}, headers=send.admin)
    assert answer.status_code == 201, answer.text


def test_resolve_follows_the_rule_of_the_alert_it_resolves(client, routing_key, send):
    _rule(send)
    client.post("/v2/enqueue", json=trigger(routing_key=routing_key, dedup_key="k1"))
    client.post("/api/v1/incidents/INC-1/acknowledge", headers=send.admin)
    # PagerDuty ignores a payload on resolve events; so does warroom
    answer = client.post("/v2/enqueue", json={
        "routing_key": routing_key, "event_action": "resolve", "dedup_key": "k1",
        "payload": {"summary": "ok now", "source": "elsewhere", "severity": "info"}})
    assert answer.status_code == 202
    (stored,) = send.alerts()
    assert (stored["status"], stored["rule"]) == ("resolved", "shop-latency")
    assert stored["labels"]["source"] == "shop-web-1"
    assert send.incident("INC-1")["phase"] == "recovery"


def test_the_class_alone_does_not_group_unrelated_events(client, routing_key, send):
    client.post("/v2/enqueue", json=trigger(routing_key=routing_key, dedup_key="a"))
    other = trigger(routing_key=routing_key, dedup_key="b")
    other["payload"] = {**other["payload"], "summary": "Disk full on db-3", "source": "db-3",
                        "component": "postgres", "group": "storage"}
    client.post("/v2/enqueue", json=other)
    assert {a["dedup_key"]: a["incident"] for a in send.alerts()} == \
        {"a": "INC-1", "b": "INC-2"}


def test_a_rule_may_still_group_by_class(client, routing_key, send):
    _rule(send, match={"class": "latency"}, group_by=["class"])
    client.post("/v2/enqueue", json=trigger(routing_key=routing_key, dedup_key="a"))
    other = trigger(routing_key=routing_key, dedup_key="b")
    other["payload"] = {**other["payload"], "summary": "Search latency above 2s"}
    client.post("/v2/enqueue", json=other)
    assert {a["incident"] for a in send.alerts()} == {"INC-1"}


def test_a_repeat_trigger_keeps_the_first_labels_and_notes_the_change(client, routing_key,
                                                                      send):
    client.post("/v2/enqueue", json=trigger(routing_key=routing_key, dedup_key="k1"))
    again = trigger(routing_key=routing_key, dedup_key="k1")
    again["payload"] = {**again["payload"], "source": "shop-web-9", "component": "cart"}
    assert client.post("/v2/enqueue", json=again).status_code == 202
    (stored,) = send.alerts()
    assert (stored["labels"]["source"], stored["labels"]["component"]) == \
        ("shop-web-1", "checkout")
    (note,) = [e for e in send.timeline("INC-1", kind="alert") if "labels" in e["summary"]]
    assert "component: checkout -> cart" in note["summary"]
    assert "source: shop-web-1 -> shop-web-9" in note["summary"]


@pytest.mark.parametrize("timestamp", ["2015-03-01T00:00:00Z", "9999-12-31T00:00:00Z"])
def test_a_far_off_timestamp_is_clamped_on_alert_and_incident(client, routing_key, send,
                                                              timestamp):
    event = trigger(routing_key=routing_key, dedup_key="k1")
    event["payload"] = {**event["payload"], "timestamp": timestamp}
    client.post("/v2/enqueue", json=event)
    (stored,) = send.alerts()
    incident = send.incident("INC-1")
    assert stored["starts_at"] == incident["started_at"] == "2026-01-05T12:00:00Z"
    assert any(timestamp in e["summary"] for e in send.timeline("INC-1", kind="alert"))
