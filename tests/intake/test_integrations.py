"""Integrations: secret receiver URLs, shown once, stored hashed, revocable."""

from __future__ import annotations

from sqlalchemy import select

from tests.intake.conftest import am_alert, am_webhook
from warroom.intake.models import Integration


def create(client, people, kind="alertmanager", name="prometheus-eu"):
    answer = client.post("/api/v1/integrations", json={"name": name, "kind": kind},
                         headers=people.admin)
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_an_alertmanager_integration_url_receives_without_a_token(client, people, send):
    made = create(client, people)
    assert made["url"].endswith(f"/api/v1/alerts/alertmanager/{made['key']}")
    answer = client.post(f"/api/v1/alerts/alertmanager/{made['key']}",
                         json=am_webhook(am_alert("WebSocketServiceDown", instance="ws-1")))
    assert answer.status_code == 200, answer.text
    (stored,) = send.alerts()
    assert stored["source"] == "alertmanager"
    assert send.incident("INC-1")["created_by"] == "integration:prometheus-eu"


def test_a_generic_integration_url_receives(client, people, send):
    made = create(client, people, kind="generic", name="cron")
    answer = client.post(f"/api/v1/alerts/generic/{made['key']}", json={"name": "BackupFailed"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["incidents_opened"] == ["INC-1"]


def test_the_key_is_shown_once_and_stored_hashed(client, people, database):
    made = create(client, people)
    listed = client.get("/api/v1/integrations", headers=people.headers("viewer")).json()
    assert "key" not in listed[0]
    assert listed[0]["url"].endswith(f"/{made['key'][:6]}...")
    with database.read() as session:
        stored = session.scalar(select(Integration))
    assert made["key"] not in (stored.key_hash, stored.prefix)
    assert len(made["key"]) == 32


def test_a_revoked_or_unknown_key_is_404(client, people, send):
    made = create(client, people)
    answer = client.delete(f"/api/v1/integrations/{made['id']}", headers=people.admin)
    assert answer.status_code == 200 and answer.json()["revoked_at"] is not None
    body = am_webhook(am_alert("WebSocketServiceDown"))
    assert client.post(f"/api/v1/alerts/alertmanager/{made['key']}", json=body).status_code \
        == 404
    assert client.post("/api/v1/alerts/alertmanager/" + "0" * 32, json=body).status_code == 404
    assert send.alerts() == []


def test_rotating_keys_keeps_integration_keys_unless_asked(client, people, send):
    made = create(client, people)
    body = am_webhook(am_alert("WebSocketServiceDown", instance="ws-1"))
    first = client.post("/api/v1/admin/security/rotate-keys", headers=people.admin).json()
    assert first["reissued"] == {}
    assert client.post(f"/api/v1/alerts/alertmanager/{made['key']}", json=body).status_code \
        == 200
    second = client.post("/api/v1/admin/security/rotate-keys", json={"integration_keys": True},
                         headers={"Authorization": f"Bearer {first['token']}"}).json()
    (reissued,) = second["reissued"]["integrations"]
    assert reissued["name"] == "prometheus-eu" and reissued["key"] != made["key"]
    assert reissued["url"].endswith(f"/api/v1/alerts/alertmanager/{reissued['key']}")
    assert client.post(f"/api/v1/alerts/alertmanager/{made['key']}", json=body).status_code \
        == 404
    assert client.post(f"/api/v1/alerts/alertmanager/{reissued['key']}",
                       json=body).status_code == 200


def test_a_key_only_works_on_its_own_receiver(client, people):
    made = create(client, people, kind="generic", name="cron")
    answer = client.post(f"/api/v1/alerts/alertmanager/{made['key']}",
                         json=am_webhook(am_alert("X")))
    assert answer.status_code == 404


def test_names_are_unique_and_kinds_checked(client, people):
    create(client, people)
    again = client.post("/api/v1/integrations", json={"name": "prometheus-eu",
                                                      "kind": "generic"}, headers=people.admin)
    assert again.status_code == 409
    odd = client.post("/api/v1/integrations", json={"name": "x", "kind": "nagios"},
                      headers=people.admin)
    assert odd.status_code == 422 and odd.json()["errors"][0]["field"] == "kind"


def test_creating_and_revoking_is_audited(client, people):
    made = create(client, people)
    client.delete(f"/api/v1/integrations/{made['id']}", headers=people.admin)
    entries = client.get("/api/v1/audit", params={"target": "integration:prometheus-eu"},
                         headers=people.admin).json()
    assert [e["action"] for e in entries] == ["integration.create", "integration.revoke"]
    assert made["key"] not in str(entries)
