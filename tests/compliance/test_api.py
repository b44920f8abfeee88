"""The HTTP surface: personal data only for breach:read, the flow end to end,
the acknowledgement link, and compliance alerts proposing a breach record."""

from __future__ import annotations

import hashlib

from warroom.compliance import service
from warroom.incidents import service as incidents
from warroom.notify import service as outbox


def test_personal_data_in_breaches_needs_breach_read(client, people, work):
    with work() as uow:
        service.open_breach(uow, title="Leak")
    for role, status in (("viewer", 403), ("responder", 403), ("commander", 200)):
        answer = client.get("/api/v1/breaches", headers=people.headers(role))
        assert answer.status_code == status, role


def test_open_assess_submit_and_register_over_http(client, people, clock):
    opened = client.post("/api/v1/breaches", headers=people.admin, json={
        "title": "Export without consent",
        "facts": {"aware_at": clock.now().isoformat(), "awareness_basis": "alert confirmed",
                  "regimes": ["gdpr", "nis2"]}})
    assert opened.status_code == 201, opened.text
    ref = opened.json()["ref"]
    assert opened.json()["state"] == "confirmed"
    assessed = client.post(f"/api/v1/breaches/{ref}/assess", headers=people.admin,
                           json={"risk": "high", "nature": ["confidentiality"]})
    assert assessed.json()["state"] == "assessed"
    clocks = client.get("/api/v1/breaches/clock", headers=people.admin).json()
    assert [(c["regime"], c["obligation"]) for c in clocks][:1] == [("nis2", "early_warning")]
    draft = client.get(f"/api/v1/breaches/{ref}/draft?kind=sa", headers=people.admin).json()
    assert draft["sections"][0]["title"] == "1. Type of notification"
    sent = client.post(f"/api/v1/breaches/{ref}/submit", headers=people.admin, json={
        "regime": "gdpr", "obligation": "initial", "recipient": "DPC",
        "content": "the text", "reference": "DPC-42"})
    assert sent.status_code == 201, sent.text
    assert sent.json()["content_sha256"] == hashlib.sha256(b"the text").hexdigest()
    exported = client.get(f"/api/v1/breaches/register?year={clock.now().year}&format=csv",
                          headers=people.admin)
    assert exported.status_code == 200 and ref in exported.text
    assert exported.headers["X-Audit-Head"].split(":")[0].isdigit()
    refused = client.post(f"/api/v1/breaches/{ref}/transition", headers=people.admin,
                          json={"to": "subjects_not_required"})
    assert refused.status_code == 422 and "Art. 34(3)" in refused.json()["detail"]


def test_ack_link_over_http_works_once(client, people, clock, configure, database):
    configure(COMPLIANCE_DPO_EMAIL="dpo@example.com")
    client.post("/api/v1/breaches", headers=people.admin, json={
        "title": "x", "facts": {"aware_at": clock.now().isoformat(), "awareness_basis": "b"}})
    with database.read() as session:
        (message,) = [m for m in outbox.get_all(session) if m.kind == "dpo_notice"]
        body, _, _ = outbox.unsealed_content(message)
    path = "/api/v1/breaches/ack/" + body.split("/api/v1/breaches/ack/")[1].split()[0]
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 200
    assert client.post(path).status_code == 410
    assert client.post(path[:-3] + "abc").status_code in (403, 404)


def test_compliance_alert_opens_an_incident_with_a_suspected_breach(client, people, database):
    alert = {"version": "4", "status": "firing", "receiver": "warroom", "groupKey": "g",
             "alerts": [{"status": "firing", "labels": {"alertname": "DataExportWithoutConsent",
                                                        "severity": "critical"},
                         "annotations": {"summary": "export"},
                         "startsAt": "2026-01-05T11:59:00Z", "fingerprint": "abc"}]}
    answer = client.post("/api/v1/alerts/alertmanager", headers=people.admin, json=alert)
    assert answer.status_code < 300, answer.text
    with database.read() as session:
        (breach,) = service.get_all(session)
        incident = incidents.get(session, incident_id=breach.incident_id)
    assert breach.state == "suspected" and breach.source == "alert:DataExportWithoutConsent"
    assert incident is not None and incident.type == "compliance_violation"
