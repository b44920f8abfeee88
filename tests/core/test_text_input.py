"""Control characters and bidirectional overrides: refused in single-line
fields, and in multi-line fields everything but tabs and line breaks, with a
422 naming the field and the character."""

from __future__ import annotations

import pytest

from tests.intake.conftest import am_alert, am_webhook

DECLARE = {"type": "service_outage", "severity": "high"}


@pytest.mark.parametrize("title, char", [
    ("checkout \x1b[2J down", "U+001B"), ("checkout \u202edown", "U+202E"),
    ("checkout\u2066 down", "U+2066"), ("line\nbreak", "U+000A"), ("bell\x07", "U+0007"),
    ("c1 \x9b31m", "U+009B"), ("mark\u200f", "U+200F"),
])
def test_a_single_line_field_refuses_control_and_bidi_characters(client, people, title, char):
    answer = client.post("/api/v1/incidents", json={**DECLARE, "title": title},
                         headers=people.admin)
    assert answer.status_code == 422, answer.text
    (error,) = answer.json()["errors"]
    assert error["field"] == "title"
    assert char in error["message"] and "single line" in error["message"]


def test_label_keys_and_values_are_single_line(client, people):
    for labels, field in [({"team": "a\x1bb"}, "labels.team"),
                          ({"te\u202eam": "sre"}, "labels.te\\u202eam.[key]")]:
        answer = client.post("/api/v1/incidents", json={**DECLARE, "labels": labels},
                             headers=people.admin)
        assert answer.status_code == 422, answer.text
        assert answer.json()["errors"][0]["field"] == field


@pytest.mark.parametrize("description", ["first\nsecond\tcolumn", "windows\r\nline",
                                         "\u202bعربي\u202c text"])
def test_a_multi_line_field_keeps_tabs_line_breaks_and_bidi(client, people, description):
    answer = client.post("/api/v1/incidents", json={**DECLARE, "description": description},
                         headers=people.admin)
    assert answer.status_code == 201, answer.text
    assert answer.json()["description"] == description.strip()


@pytest.mark.parametrize("description, char", [("clear \x1b[2J", "U+001B"),
                                               ("over\rwrite", "U+000D"),
                                               ("form\x0cfeed", "U+000C")])
def test_a_multi_line_field_refuses_other_control_characters(client, people, description,
                                                             char):
    answer = client.post("/api/v1/incidents", json={**DECLARE, "description": description},
                         headers=people.admin)
    assert answer.status_code == 422, answer.text
    (error,) = answer.json()["errors"]
    assert error["field"] == "description" and char in error["message"]


def test_alert_receivers_refuse_control_characters_in_labels_and_keys(client, people):
    headers = people.headers("responder")
    webhook = am_webhook(am_alert("Down", instance="ws-1\x1b]0;pwned\x07"))
    answer = client.post("/api/v1/alerts/alertmanager", json=webhook, headers=headers)
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == "alerts.0.labels.instance"
    generic = client.post("/api/v1/alerts/generic", json={"name": "Down",
                                                          "dedup_key": "k\u202e1"},
                          headers=headers)
    assert generic.status_code == 422 and generic.json()["errors"][0]["field"] == "dedup_key"
    noted = am_webhook(am_alert("Down", annotations={"description": "line one\nline two"}))
    assert client.post("/api/v1/alerts/alertmanager", json=noted,
                       headers=headers).status_code == 200


def test_pagerduty_events_refuse_control_characters_in_its_error_shape(client, people):
    key = client.post("/api/v1/integrations", json={"name": "pd", "kind": "pagerduty"},
                      headers=people.admin).json()["key"]
    event = {"routing_key": key, "event_action": "trigger",
             "payload": {"summary": "down", "source": "web\x1b[31m-1", "severity": "error"}}
    answer = client.post("/v2/enqueue", json=event)
    assert answer.status_code == 400
    (error,) = answer.json()["errors"]
    assert error.startswith("'payload.source'") and "U+001B" in error
