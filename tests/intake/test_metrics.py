"""Intake figures on ``/metrics``."""

from __future__ import annotations

from tests.intake.conftest import am_alert


def test_metrics_show_alerts_silences_and_the_switch(send):
    send.client.post("/api/v1/silences", json={
        "matchers": [{"name": "alertname", "value": "WebSocketHighCPUUsage"}],
        "duration_minutes": 30, "comment": "load test"}, headers=send.headers)
    send.alertmanager(am_alert("WebSocketServiceDown", instance="ws-1"),
                      am_alert("WebSocketHighCPUUsage", pod="ws-0"))
    text = send.client.get("/metrics").text
    assert 'warroom_alerts{held="none",status="firing"} 1.0' in text
    assert 'warroom_alerts{held="silenced",status="firing"} 1.0' in text
    assert "warroom_silences_active 1.0" in text
    assert "warroom_monitoring_enabled 1.0" in text
    assert "warroom_alert_groups_flapping 0.0" in text
