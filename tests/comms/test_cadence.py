"""Update cadence: a critical incident needs an update at least hourly; a missed
interval reminds the communications lead once."""

from __future__ import annotations

import json

from warroom.incidents import service as incidents
from warroom.incidents import timeline


def reminders(database, ref):
    with database.read() as session:
        incident = incidents.get_by_ref_or_raise(session, ref=ref)
        return [e.summary for e in timeline.get_all(session, incident_id=incident.id,
                                                    kind="reminder")]


def test_missed_hourly_update_reminds_the_communications_lead_once_per_interval(
        declare, assign, remind, worker, clock, mailbox, database, people):
    ref = declare(severity="critical")
    assign(ref, "communications_lead", "responder")
    clock.advance(minutes=59)
    remind()
    assert reminders(database, ref) == []
    clock.advance(minutes=1)
    remind()
    remind()
    worker.deliver_due()
    (message,) = mailbox.wait_for(1)
    assert (message["To"], message["Subject"]) == ("responder@example.com",
                                                   f"[warroom] {ref}: status update due")
    assert "warroom comms send" in message.get_content()
    assert reminders(database, ref) == [
        "Status update overdue: sev1 needs one every 60 minutes and no update has been sent; "
        "reminded communications_lead"]
    clock.advance(minutes=60)
    remind()
    worker.deliver_due()
    assert len(mailbox.wait_for(2)) == 2
    assert len(reminders(database, ref)) == 2


def test_sending_an_update_restarts_the_clock(declare, assign, remind, clock, client, people,
                                              database):
    ref = declare(severity="critical")
    assign(ref, "communications_lead", "responder")
    clock.advance(minutes=50)
    sent = client.post(f"/api/v1/incidents/{ref}/comms", headers=people.admin,
                       json={"template": "status_update", "to": ["role:communications_lead"]})
    assert sent.status_code == 201
    clock.advance(minutes=55)
    remind()
    assert reminders(database, ref) == []
    cadence = client.get(f"/api/v1/incidents/{ref}/comms/cadence", headers=people.admin).json()
    assert cadence["next_update_due_at"].startswith("2026-01-05T13:50")
    assert cadence["overdue"] is False


def test_without_a_communications_lead_the_commander_is_reminded(
        declare, assign, remind, clock, database, worker, mailbox, people):
    ref = declare(severity="critical")
    assign(ref, "incident_commander", "commander")
    clock.advance(minutes=61)
    remind()
    worker.deliver_due()
    assert mailbox.wait_for(1)[0]["To"] == "commander@example.com"
    assert reminders(database, ref)[0].endswith("reminded incident_commander")


def test_cadence_is_configurable_per_severity(configure, declare, remind, clock, database):
    configure(COMMS_UPDATE_CADENCE_MINUTES=json.dumps({"medium": 30, "sev1": None}))
    medium = declare(severity="sev3")
    critical = declare(severity="sev1")
    clock.advance(minutes=90)
    remind()
    assert reminders(database, medium)[0].startswith(
        "Status update overdue: sev3 needs one every 30 minutes")
    assert reminders(database, critical) == []


def test_a_resolved_incident_needs_no_more_updates(declare, remind, clock, client, people,
                                                   database):
    ref = declare(severity="critical")
    for phase in ("triage", "recovery", "lessons_learned"):
        client.post(f"/api/v1/incidents/{ref}/transition", json={"phase": phase},
                    headers=people.admin)
    clock.advance(hours=3)
    remind()
    assert reminders(database, ref) == []


def test_raising_the_severity_tightens_the_cadence(declare, remind, clock, client, people,
                                                   database):
    ref = declare(severity="low")
    clock.advance(minutes=30)
    client.patch(f"/api/v1/incidents/{ref}", json={"severity": "critical", "reason": "spread"},
                 headers=people.admin)
    clock.advance(minutes=31)
    remind()
    assert reminders(database, ref)[0].startswith(
        "Status update overdue: sev1 needs one every 60 minutes")
