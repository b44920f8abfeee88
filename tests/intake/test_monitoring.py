"""The seed's monitoring switch: paused monitoring stores alerts and opens no
incidents; resuming places every alert still firing."""

from __future__ import annotations

from tests.intake.conftest import am_alert


def switch(send, enabled: bool) -> dict:
    # The seed's own call (seed 002, "Monitoring Reinstatement"), verbatim.
    answer = send.client.post("/api/v1/admin/monitoring", json={"enabled": enabled},
                              headers={**send.admin, "Content-Type": "application/json"})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_paused_monitoring_stores_alerts_but_opens_nothing(send):
    assert switch(send, False)["enabled"] is False
    answer = send.alertmanager(am_alert("WebSocketServiceDown", instance="ws-1"))
    assert (answer["new"], answer["held"], answer["incidents_opened"]) == (1, 1, [])
    assert send.alerts()[0]["held"] == "paused"
    assert send.incidents() == []


def test_resuming_places_what_is_still_firing(send):
    switch(send, False)
    send.alertmanager(am_alert("WebSocketServiceDown", instance="ws-1"),
                      am_alert("WebSocketMessageLoss", instance="ws-1"))
    send.alertmanager(am_alert("WebSocketMessageLoss", "resolved", instance="ws-1"))
    resumed = switch(send, True)
    assert resumed["enabled"] is True
    assert (resumed["re_evaluated"], resumed["incidents_opened"]) == (1, ["INC-1"])
    (incident,) = send.incidents()
    assert incident["type"] == "service_outage"
    assert {a["name"]: a["held"] for a in send.alerts()} == {
        "WebSocketServiceDown": None, "WebSocketMessageLoss": "paused"}


def test_the_switch_is_audited_and_readable(send):
    switch(send, False)
    state = send.client.get("/api/v1/admin/monitoring", headers=send.headers).json()
    assert (state["enabled"], state["changed_by"]) == (False, "admin")
    actions = [e["action"] for e in send.client.get(
        "/api/v1/audit", params={"target": "intake:monitoring"}, headers=send.admin).json()]
    assert actions == ["monitoring.disable"]


def test_only_admins_switch_monitoring(client, people):
    answer = client.post("/api/v1/admin/monitoring", json={"enabled": False},
                         headers=people.headers("commander"))
    assert answer.status_code == 403
    assert "monitoring:admin" in answer.json()["detail"]
