"""``POST /v2/change/enqueue``: PagerDuty change events, listed as recent
changes on the incidents of the service they touched."""

from __future__ import annotations

import pytest

from tests.intake.test_pagerduty import trigger


@pytest.fixture
def routing_key(client, people) -> str:
    answer = client.post("/api/v1/integrations", json={"name": "deploys", "kind": "pagerduty"},
                         headers=people.admin)
    assert answer.status_code == 201, answer.text
    return answer.json()["key"]


def change(key: str, *, when: str = "2026-01-05T11:30:00Z", source: str = "shop-web-1"):
    return {"routing_key": key, "links": [{"href": "https://ci.example/42", "text": "build 42"}],
            "payload": {"summary": "Deploy shop 1.4.2", "source": source, "timestamp": when,
                        "custom_details": {"version": "1.4.2"}}}


def test_a_change_event_answers_like_pagerduty(client, routing_key):
    answer = client.post("/v2/change/enqueue", json=change(routing_key))
    assert answer.status_code == 202
    assert answer.json()["status"] == "success"


def test_recent_changes_of_the_service_show_on_its_incident(client, routing_key, send):
    client.post("/v2/change/enqueue", json=change(routing_key))
    client.post("/v2/change/enqueue", json=change(routing_key, when="2026-01-03T11:00:00Z"))
    client.post("/v2/enqueue", json=trigger(routing_key=routing_key, dedup_key="k1"))
    (shown,) = send.incident("INC-1")["extra"]["recent_changes"]
    assert shown == {"summary": "Deploy shop 1.4.2", "service": "shop-web-1",
                     "happened_at": "2026-01-05T11:30:00Z",
                     "custom_details": {"version": "1.4.2"},
                     "links": [{"href": "https://ci.example/42", "text": "build 42"}]}


def test_changes_to_other_services_are_not_shown(client, people, routing_key, send):
    other = client.post("/api/v1/integrations", json={"name": "other", "kind": "pagerduty"},
                        headers=people.admin).json()["key"]
    client.post("/v2/change/enqueue", json=change(other, source="billing-api"))
    client.post("/v2/enqueue", json=trigger(routing_key=routing_key, dedup_key="k1"))
    assert "recent_changes" not in send.incident("INC-1")["extra"]


def test_a_bad_change_event_gets_pagerdutys_error_shape(client, routing_key):
    answer = client.post("/v2/change/enqueue", json={"routing_key": routing_key,
                                                     "payload": {"source": "x"}})
    assert answer.status_code == 400
    assert any("payload.summary" in e for e in answer.json()["errors"])


def test_a_number_too_large_to_store_is_a_400_not_a_500(client, routing_key, send):
    event = change(routing_key)
    event["payload"]["custom_details"] = {"build": 2**70}
    answer = client.post("/v2/change/enqueue", json=event)
    assert answer.status_code == 400, answer.text
    assert any("payload.custom_details" in e for e in answer.json()["errors"])


def test_an_unknown_routing_key_is_refused(client):
    answer = client.post("/v2/change/enqueue", json=change("0" * 32))
    assert answer.status_code == 400
    assert "routing_key" in answer.json()["errors"][0]


def test_warroom_incident_show_lists_the_recent_changes(client, routing_key):
    from typer.testing import CliRunner

    from warroom.cli import app as cli_app

    client.post("/v2/change/enqueue", json=change(routing_key))
    client.post("/v2/enqueue", json=trigger(routing_key=routing_key, dedup_key="k1"))
    shown = CliRunner().invoke(cli_app, ["incident", "show", "INC-1"])
    assert shown.exit_code == 0, shown.output
    assert "recent_changes" in shown.stdout and "Deploy shop 1.4.2" in shown.stdout
