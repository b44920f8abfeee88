"""Each seed template renders from a real incident, fills the seed's bracketed
placeholders from the incident or from the person, and stays in its sandbox."""

from __future__ import annotations

import pytest

from warroom.comms import templates

EXPECTED = {
    "declaration": ("INCIDENT DECLARED: INC-1 Critical Service Outage - WebSocket service down",
                    ["INCIDENT DECLARED", "Type: Service Outage", "Severity: Critical",
                     "Detected: 2026-01-05 12:00 UTC", "Response Team Activated: Yes",
                     "Incident Commander: commander", "Communication Lead: responder",
                     "Updates will be posted in this channel."]),
    "status_update": ("INCIDENT UPDATE #1: INC-1 WebSocket service down (Investigating)",
                      ["INCIDENT UPDATE #1", "Status: Investigating",
                       "Root Cause: Investigating", "ETA for Resolution: Unknown",
                       "Contact: commander commander@example.com"]),
    "executive": ("[SEV-1] websocket-service Incident - WebSocket service down",
                  ["INCIDENT SUMMARY:", "- Service: websocket-service",
                   "- Severity: 1 (Critical)", "- Start Time: 2026-01-05 12:00 UTC",
                   "CURRENT STATUS:", "ACTIONS TAKEN:", "CUSTOMER IMPACT:",
                   "INCIDENT COMMANDER: commander - commander@example.com"]),
    "user_communication": ("Service Update - WebSocket service down",
                           ["Dear SilentRelay Users,", "We are currently experiencing a "
                            "service disruption affecting websocket-service",
                            "Current Status: Investigating", "The SilentRelay Team"]),
    "status_page": ("SilentRelay status: degraded",
                    ["We are experiencing a service disruption affecting websocket-service "
                     "and are investigating the issue."]),
    "dpo_notice": ("URGENT: Compliance Incident - websocket-service",
                   ["Compliance incident detected. See "
                    "http://127.0.0.1:8080/incidents/INC-1 for details.",
                    "Personal data breach: Yes"]),
}


@pytest.fixture
def incident(client, people, assign):
    answer = client.post("/api/v1/incidents", headers=people.admin, json={
        "type": "service_outage", "severity": "critical", "title": "WebSocket service down",
        "description": "All WebSocket connections fail\nmore detail",
        "services": ["websocket-service"], "personal_data_breach": True})
    ref = answer.json()["id"]
    assign(ref, "incident_commander", "commander")
    assign(ref, "communications_lead", "responder")
    return ref


def preview(client, people, ref, template, **fields):
    return client.post(f"/api/v1/incidents/{ref}/comms/preview", headers=people.admin,
                       json={"template": template, "fields": fields})


def test_every_seed_template_is_covered():
    assert sorted(templates.ids()) == sorted(EXPECTED)


@pytest.mark.parametrize("template", sorted(EXPECTED))
def test_template_renders_from_a_real_incident(template, incident, client, people):
    answer = preview(client, people, incident, template)
    assert answer.status_code == 200, answer.text
    subject, lines = EXPECTED[template]
    assert answer.json()["subject"] == subject
    for line in lines:
        assert line in answer.json()["body"], line
    assert "[" not in answer.json()["body"].replace("[SEV", "")


def test_fields_given_by_a_person_fill_the_seed_placeholders(incident, client, people):
    body = preview(client, people, incident, "status_update", impact="No live logs for anyone",
                   root_cause="Identified", eta="30 minutes",
                   actions=["12:05 UTC Rolled back the deploy"],
                   next_steps=["Watch the error rate"]).json()["body"]
    for line in ("Current Impact: No live logs for anyone", "Root Cause: Identified",
                 "ETA for Resolution: 30 minutes", "- 12:05 UTC Rolled back the deploy",
                 "- Watch the error rate"):
        assert line in body


def test_actions_and_next_steps_come_from_the_incident_when_not_given(
        incident, client, people, clock):
    clock.advance(minutes=3)
    client.post(f"/api/v1/incidents/{incident}/steps/confirm-incident/tick",
                headers=people.headers("responder"))
    body = preview(client, people, incident, "status_update").json()["body"]
    assert "- 12:03 UTC initial-response:confirm-incident (Confirm incident (not false " \
           "positive)) ticked" in body
    assert "- Classify severity and type" in body


def test_a_template_cannot_reach_outside_its_sandbox(playbooks_dir, incident, client, people):
    folder = playbooks_dir / "templates"
    (folder / "sneaky.txt.j2").write_text("{{ incident.__class__.__mro__[1].__subclasses__() }}")
    manifest = (folder / "templates.yaml").read_text() + (
        "  - id: sneaky\n    title: Sneaky\n    source: seed 002 nowhere at all\n"
        "    audience: internal\n    subject: hi\n    body: sneaky.txt.j2\n")
    (folder / "templates.yaml").write_text(manifest)
    answer = preview(client, people, incident, "sneaky")
    assert answer.status_code == 422
    assert "could not be rendered" in answer.json()["detail"]


def test_unknown_template_and_unknown_field_are_refused(incident, client, people):
    unknown = preview(client, people, incident, "haiku")
    assert unknown.status_code == 404 and "status_update" in unknown.json()["detail"]
    odd = preview(client, people, incident, "status_update", mood="grim")
    assert odd.status_code == 422 and "mood" in odd.json()["detail"]
