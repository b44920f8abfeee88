"""The seed's ``GET /api/v1/security/alerts``: alerts routed to security types."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.intake.conftest import am_alert


def test_lists_only_alerts_routed_to_security_types(send):
    send.alertmanager(am_alert("WebSocketUnauthorizedAccess", instance="ws-1"),
                      am_alert("GDPRDataRetentionViolation", instance="ws-1"),
                      am_alert("WebSocketHighCPUUsage", pod="ws-0"))
    answer = send.client.get("/api/v1/security/alerts", headers=send.headers)
    assert answer.status_code == 200
    page = answer.json()
    assert page["total"] == 2
    assert sorted(a["incident_type"] for a in page["items"]) == \
        ["compliance_violation", "security_breach"]


def test_the_seed_call_works_verbatim_from_the_same_machine(app, send):
    """``curl http://localhost:8080/api/v1/security/alerts`` (seed 002) sends no token."""
    send.alertmanager(am_alert("WebSocketSuspiciousConnections", instance="ws-1"))
    with TestClient(app, client=("127.0.0.1", 40000)) as local:
        answer = local.get("/api/v1/security/alerts")
    assert answer.status_code == 200, answer.text
    assert [a["name"] for a in answer.json()["items"]] == ["WebSocketSuspiciousConnections"]


def test_from_elsewhere_a_token_is_needed(client, people):
    assert client.get("/api/v1/security/alerts").status_code == 401
    assert client.get("/api/v1/security/alerts",
                      headers=people.headers("viewer")).status_code == 403


def test_the_loopback_exception_can_be_switched_off(app, monkeypatch):
    from warroom.intake.settings import IntakeSettings

    monkeypatch.setattr(IntakeSettings.current(), "security_alerts_loopback", False)
    with TestClient(app, client=("127.0.0.1", 40000)) as local:
        assert local.get("/api/v1/security/alerts").status_code == 401


def test_a_request_relayed_by_a_local_proxy_is_not_a_local_caller(app):
    with TestClient(app, client=("127.0.0.1", 40000)) as local:
        relayed = local.get("/api/v1/security/alerts",
                            headers={"X-Forwarded-For": "198.51.100.7"})
        assert relayed.status_code == 401
        assert local.get("/api/v1/security/alerts").status_code == 200
