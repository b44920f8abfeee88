"""The Alertmanager webhook receiver (payload version 4)."""

from __future__ import annotations

from tests.intake.conftest import am_alert, am_webhook
from warroom.intake.sources.alert import fingerprint


def test_a_firing_seed_alert_opens_the_incident_its_rule_names(send, work):
    answer = send.alertmanager(am_alert("WebSocketServiceDown", instance="ws-1"))
    assert answer["incidents_opened"] == ["INC-1"]
    incident = send.incident("INC-1")
    assert (incident["type"], incident["severity"], incident["source"]) == \
        ("service_outage", "sev1", "alert")
    assert incident["title"] == "WebSocket service down (websocket-service)"
    assert incident["services"] == ["websocket-service"]
    assert incident["started_at"] == "2026-01-05T11:58:00Z"
    kinds = [event["kind"] for event in send.timeline("INC-1")]
    assert kinds == ["declared", "step", "step", "alert"]  # two playbooks attached


def test_the_declared_hook_gets_the_rule_playbook_and_policy(send):
    from warroom.incidents import hooks

    seen = []

    def listener(uow, incident, *, context):
        seen.append(context)

    hooks.declared.connect(listener)
    try:
        send.alertmanager(am_alert("UnauthorizedDataAccess", instance="api-1"))
    finally:
        hooks.declared.disconnect(listener)
    (context,) = seen
    assert context["routing_rule"] == "unauthorized-data-access"
    assert context["playbook"] == "compliance-violation"
    assert context["escalation_policy"] == "sev1"
    assert context["alertname"] == "UnauthorizedDataAccess"
    assert len(context["group_key"]) == 64


def test_a_repeated_alert_updates_it_and_opens_nothing_more(send):
    alert = am_alert("WebSocketBufferOverflow", instance="ws-1")
    send.alertmanager(alert)
    again = send.alertmanager(alert)
    assert (again["new"], again["repeated"], again["incidents_opened"]) == (0, 1, [])
    (stored,) = send.alerts()
    assert stored["receive_count"] == 2
    assert len(send.incidents()) == 1
    assert [e["kind"] for e in send.timeline("INC-1")] == ["declared", "step", "step", "alert"]


def test_a_resolved_alert_is_recorded_on_its_incident(send, clock):
    send.alertmanager(am_alert("WebSocketMessageLoss", instance="ws-1"))
    clock.advance(minutes=7)
    answer = send.alertmanager(am_alert("WebSocketMessageLoss", "resolved", instance="ws-1"))
    assert answer["resolved"] == 1
    (stored,) = send.alerts()
    assert stored["status"] == "resolved"
    assert stored["resolved_at"] == "2026-01-05T12:07:00Z"
    summaries = [e["summary"] for e in send.timeline("INC-1", kind="alert")]
    assert summaries[-2] == "WebSocketMessageLoss (instance=ws-1, job=websocket-service) resolved"
    assert summaries[-1] == "All alerts of INC-1 have resolved"
    assert send.incident("INC-1")["phase"] == "detection"


def test_a_resolved_alert_never_seen_firing_is_stored_and_opens_nothing(send):
    answer = send.alertmanager(am_alert("WebSocketHighCPUUsage", "resolved", pod="ws-0"))
    assert (answer["new"], answer["incidents_opened"]) == (1, [])
    (stored,) = send.alerts()
    assert (stored["status"], stored["incident"], stored["fire_count"]) == \
        ("resolved", None, 0)


def test_a_missing_fingerprint_is_computed_like_alertmanager_does(send):
    alert = am_alert("WebSocketServiceDown", instance="ws-1")
    del alert["fingerprint"]
    send.alertmanager(alert)
    # What Alertmanager 0.25 itself reports for this label set (GET /api/v2/alerts).
    assert send.alerts()[0]["dedup_key"] == "99c5a086d36c672d"
    assert fingerprint(alert["labels"]) == "99c5a086d36c672d"


def test_fields_the_receiver_does_not_know_are_ignored(send):
    """Grafana and newer Alertmanagers add fields; the alert must still land."""
    alert = {**am_alert("WebSocketHighMemoryUsage", pod="ws-0"), "silenceURL": "http://x",
             "values": {"B": 0.93}, "dashboardURL": ""}
    body = {**am_webhook(alert), "orgId": 1, "title": "[FIRING:1]"}
    answer = send.client.post("/api/v1/alerts/alertmanager", json=body, headers=send.headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["incidents_opened"] == ["INC-1"]


def test_malformed_json_is_400(send):
    answer = send.client.post("/api/v1/alerts/alertmanager", content=b'{"alerts": [',
                              headers={**send.headers, "content-type": "application/json"})
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "not valid JSON" in answer.json()["detail"]


def test_a_bad_field_is_422_naming_it(send):
    alert = am_alert("WebSocketServiceDown")
    alert["status"] = "burning"
    answer = send.client.post("/api/v1/alerts/alertmanager", json=am_webhook(alert),
                              headers=send.headers)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "alerts.0.status"
    assert "alerts.0.status" in answer.json()["detail"]
    assert send.alerts() == []


def test_label_limits_are_422(send):
    too_many = am_alert("Noisy", **{f"l{i}": "x" for i in range(70)})
    answer = send.client.post("/api/v1/alerts/alertmanager", json=am_webhook(too_many),
                              headers=send.headers)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "alerts.0.labels"
    too_long = am_alert("Noisy", instance="x" * 1025)
    answer = send.client.post("/api/v1/alerts/alertmanager", json=am_webhook(too_long),
                              headers=send.headers)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "alerts.0.labels.instance"
    assert send.alerts() == []


def test_more_alerts_than_the_limit_is_413(send, monkeypatch):
    from warroom.intake.settings import IntakeSettings

    monkeypatch.setattr(IntakeSettings.current(), "alert_max_per_request", 3)
    alerts = [am_alert("Storm", instance=f"i{n}") for n in range(4)]
    answer = send.client.post("/api/v1/alerts/alertmanager", json=am_webhook(*alerts),
                              headers=send.headers)
    assert answer.status_code == 413
    assert "at most 3 alerts" in answer.json()["detail"]
    assert send.alerts() == []


def test_a_body_over_the_size_limit_is_413(send, settings):
    body = b'{"alerts": [], "receiver": "' + b"x" * settings.max_body_bytes + b'"}'
    answer = send.client.post("/api/v1/alerts/alertmanager", content=body,
                              headers={**send.headers, "content-type": "application/json"})
    assert answer.status_code == 413


def test_a_viewer_token_may_not_send_alerts(client, people):
    answer = client.post("/api/v1/alerts/alertmanager", json=am_webhook(am_alert("X")),
                         headers=people.headers("viewer"))
    assert answer.status_code == 403
    assert "alert:write" in answer.json()["detail"]


def test_the_receiver_audits_each_delivery(send):
    send.alertmanager(am_alert("WebSocketServiceDown", instance="ws-1"))
    entries = send.client.get("/api/v1/audit", params={"action": "alerts.receive"},
                              headers=send.admin).json()
    (entry,) = entries
    assert entry["actor"] == "responder"
    assert entry["target"] == "alerts:alertmanager"
    assert (entry["after"]["new"], entry["after"]["deliveries"]) == (1, 1)
    assert entry["after"]["incidents_opened"] == ["INC-1"]
