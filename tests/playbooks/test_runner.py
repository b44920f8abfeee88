"""The runner: which playbooks an incident gets, what is due for whom as the
clock moves, reminders for overdue steps, and versioned snapshots."""

from __future__ import annotations

import hashlib

from tests.playbooks.conftest import SHIPPED, write_playbook
from warroom.incidents import service as incidents
from warroom.incidents import timeline

CHAIN = """
name: chain
version: "1"
title: Chained steps
source: seed 000 §2 Test chain
applies_to:
  incident_types: [service_outage]
phases:
  - phase: triage
    due: 0-5 minutes
    steps:
      - id: look
        title: Look at the dashboard
        role: technical_lead
        kind: checklist
        source: seed 000 §2.1 Manual Detection Indicators
      - id: pause
        title: Give it a minute
        role: technical_lead
        kind: wait
        duration: 60s
        after: [look]
        source: seed 000 §2.4 Traffic Management
      - id: say-hello
        title: Say hello
        role: technical_lead
        kind: command
        command: echo hello from {{ incident.ref }}
        after: [pause]
        source: seed 000 §2.2 Initial Assessment
"""


def runs_of(client, people, ref):
    return client.get(f"/api/v1/incidents/{ref}/playbooks", headers=people.admin).json()["runs"]


def steps(client, people, ref, **params):
    answer = client.get(f"/api/v1/incidents/{ref}/steps", params=params, headers=people.admin)
    assert answer.status_code == 200, answer.text
    return {s["ref"]: s for s in answer.json()}


def test_new_incident_gets_the_initial_response_checklist_and_its_type_playbook(
        declare, client, people):
    ref = declare(type="service_outage")
    runs = runs_of(client, people, ref)
    assert [(r["playbook"], r["how"]) for r in runs] == [
        ("initial-response", "every_incident"), ("general-procedure", "type")]
    shipped = (SHIPPED / "general-procedure.yaml").read_bytes()
    assert runs[1]["content_hash"] == hashlib.sha256(shipped).hexdigest()
    assert runs[1]["version"] == "2025.12.04"


def test_routing_rule_names_the_playbook(work, client, people):
    with work() as uow:
        ref = incidents.declare(uow, declaration=incidents.Declaration(
            type="service_outage", severity="critical", source="alert",
            context={"playbook": "websocket-service-outage",
                     "alertname": "WebSocketServiceDown"})).ref
    assert [(r["playbook"], r["how"]) for r in runs_of(client, people, ref)] == [
        ("initial-response", "every_incident"), ("websocket-service-outage", "routing")]


def test_alert_name_picks_the_playbook_when_no_rule_names_one(work, client, people):
    with work() as uow:
        ref = incidents.declare(uow, declaration=incidents.Declaration(
            type="service_outage", severity="medium",
            context={"alertname": "WebSocketHighLatency"})).ref
    assert runs_of(client, people, ref)[1]["playbook"] == "performance-degradation"
    assert runs_of(client, people, ref)[1]["how"] == "alert"


def test_unknown_routed_playbook_falls_back_to_the_type_and_says_so(work, client, people):
    with work() as uow:
        incident = incidents.declare(uow, declaration=incidents.Declaration(
            type="data_integrity", severity="high", context={"playbook": "no-such-book"}))
        ref = incident.ref
        notes = [e.summary for e in timeline.get_all(uow.session, incident_id=incident.id,
                                                     kind="system")]
    assert runs_of(client, people, ref)[1]["playbook"] == "data-loss"
    assert notes == ["Playbook no-such-book was not attached: a routing rule names it, but "
                     "there is no such playbook; the incident type's playbook is used instead"]


def test_steps_are_due_now_overdue_and_done_per_role_as_time_passes(
        work, client, people, clock):
    with work() as uow:
        ref = incidents.declare(uow, declaration=incidents.Declaration(
            type="service_outage", severity="critical",
            context={"playbook": "websocket-service-outage"})).ref
    now = steps(client, people, ref, role="incident_commander")
    assert now["initial-response:confirm-incident"]["state"] == "due_now"
    assert steps(client, people, ref)["websocket-service-outage:rolling-restart"]["state"] == \
        "upcoming"
    ticked = client.post(f"/api/v1/incidents/{ref}/steps/confirm-incident/tick",
                         json={"notes": "real outage, not a false positive"},
                         headers=people.headers("responder"))
    assert ticked.status_code == 200, ticked.text
    assert ticked.json()["done_by"] == "responder"
    clock.advance(minutes=6)
    later = steps(client, people, ref)
    assert later["initial-response:confirm-incident"]["state"] == "done"
    assert later["initial-response:classify"]["state"] == "overdue"
    assert later["websocket-service-outage:check-resource-utilization"]["state"] == "due_now"
    extra = client.get(f"/api/v1/incidents/{ref}", headers=people.admin).json()["extra"]
    commander = extra["playbooks"]["by_role"]["incident_commander"]
    assert commander["done"] == ["initial-response:confirm-incident: Confirm incident (not "
                                 "false positive)"]
    assert "initial-response:classify: Classify severity and type" in commander["overdue"]
    assert extra["playbooks"]["gates"][0]["step"] == \
        "websocket-service-outage:verify-success-rate"


def test_overdue_steps_remind_their_owner_once_through_the_outbox(
        declare, assign, worker, clock, mailbox, people, database):
    ref = declare(type="service_outage", severity="sev2")
    assign(ref, "incident_commander", "commander")
    assign(ref, "technical_lead", "responder")
    clock.advance(minutes=6)
    worker.run_once()
    messages = mailbox.wait_for(2)
    assert sorted(m["To"] for m in messages) == ["commander@example.com",
                                                 "responder@example.com"]
    to_responder = next(m for m in messages if m["To"] == "responder@example.com")
    assert "general-procedure:check-monitoring-alerts" in to_responder.get_content()
    worker.run_once()
    assert len(mailbox.wait_for(3, timeout=1)) == 2
    clock.advance(minutes=25)
    worker.run_once()
    latest = {m["To"]: m.get_content() for m in mailbox.wait_for(4)[2:]}
    assert sorted(latest) == ["commander@example.com", "responder@example.com"]
    # nobody holds documentation_lead: its steps go to the incident commander
    assert "initial-response:begin-documentation" in latest["commander@example.com"]
    assert "general-procedure:check-error-rates" in latest["responder@example.com"]
    with database.read() as session:
        incident = incidents.get_by_ref_or_raise(session, ref=ref)
        reminders = timeline.get_all(session, incident_id=incident.id, kind="reminder")
    assert len(reminders) == 2
    assert reminders[0].summary.startswith("4 playbook step(s) overdue")


def test_steps_done_in_time_or_of_resolved_incidents_are_never_reminded(
        declare, assign, worker, clock, mailbox, client, people, steps_of):
    ticked, resolved = declare(type="service_outage"), declare(type="service_outage")
    for ref in (ticked, resolved):
        assign(ref, "incident_commander", "commander")
    tick = f"/api/v1/incidents/{ticked}/steps/initial-response:classify/tick"
    assert client.post(tick, json={}, headers=people.headers("responder")).status_code == 200
    for phase in ("triage", "containment", "eradication", "recovery", "lessons_learned"):
        answer = client.post(f"/api/v1/incidents/{resolved}/transition",
                             json={"phase": phase, "override_reason": "verified by hand"},
                             headers=people.headers("commander"))
        assert answer.status_code == 200, answer.text
    clock.advance(minutes=6)
    worker.run_once()
    reminders = [m for m in mailbox.wait_for(1) if "overdue" in m["Subject"]]
    assert [m["Subject"].split(":")[0] for m in reminders] == [f"[warroom] {ticked}"]
    assert "initial-response:classify" not in reminders[0].get_content()
    steps = steps_of(resolved)
    assert all(s.reminded_at is None for s in steps.values())
    due = [s for s in steps.values() if s.due_by is not None and s.due_by <= clock.now()]
    assert due and all(s.remind_at is None for s in due)  # left the queue, not reminded
    assert steps_of(ticked)["initial-response:classify"].remind_at is None


def test_editing_a_playbook_never_changes_a_running_incident(
        playbooks_dir, declare, steps_of, client, people):
    first = declare(type="service_outage")
    path = playbooks_dir / "general-procedure.yaml"
    path.write_text(path.read_text().replace("title: Take the affected service offline",
                                             "title: Stop the chat server")
                    .replace('version: "2025.12.04"', 'version: "2025.12.05"'))
    second = declare(type="service_outage")
    assert steps_of(first)["general-procedure:stop-affected-service"].title == \
        "Take the affected service offline"
    assert steps_of(second)["general-procedure:stop-affected-service"].title == \
        "Stop the chat server"
    old, new = runs_of(client, people, first)[1], runs_of(client, people, second)[1]
    assert (old["version"], new["version"]) == ("2025.12.04", "2025.12.05")
    assert old["content_hash"] != new["content_hash"]


def test_a_person_attaches_another_playbook_once(declare, client, people):
    ref = declare(type="service_outage")
    answer = client.post(f"/api/v1/incidents/{ref}/playbooks",
                         json={"playbook": "chat-server-failure"},
                         headers=people.headers("responder"))
    assert answer.status_code == 201, answer.text
    assert answer.json()["runs"][-1]["how"] == "manual"
    again = client.post(f"/api/v1/incidents/{ref}/playbooks",
                        json={"playbook": "chat-server-failure"}, headers=people.admin)
    assert again.status_code == 409
    assert "already runs chat-server-failure" in again.json()["detail"]
    unknown = client.post(f"/api/v1/incidents/{ref}/playbooks",
                          json={"playbook": "no-such-book"}, headers=people.admin)
    assert unknown.status_code == 404
    assert "chat-server-failure" in unknown.json()["detail"]
    events = client.get(f"/api/v1/incidents/{ref}/timeline", params={"kind": "step"},
                        headers=people.admin).json()
    assert events[-1]["summary"].startswith("Playbook chat-server-failure 2025.12.04")


def test_ticking_a_step_starts_the_timer_after_it_then_the_command(
        playbooks_dir, configure, declare, client, people, worker, clock, steps_of):
    write_playbook(playbooks_dir, "chain", CHAIN)
    configure(PLAYBOOKS_DIR=str(playbooks_dir), PLAYBOOK_COMMAND_ALLOWLIST="echo hello *")
    ref = declare()
    client.post(f"/api/v1/incidents/{ref}/playbooks", json={"playbook": "chain"},
                headers=people.admin)
    worker.run_once()
    assert steps_of(ref)["chain:pause"].status == "pending"
    client.post(f"/api/v1/incidents/{ref}/steps/look/tick", headers=people.admin)
    worker.run_once()
    assert steps_of(ref)["chain:pause"].status == "waiting"
    clock.advance(seconds=59)
    worker.run_once()
    assert steps_of(ref)["chain:pause"].status == "waiting"
    clock.advance(seconds=1)
    worker.run_once()
    worker.run_once()
    done = steps_of(ref)
    assert done["chain:pause"].status == "succeeded"
    assert done["chain:say-hello"].status == "succeeded"
    assert done["chain:say-hello"].output == "hello from INC-1\n"


def test_entering_a_phase_makes_its_steps_due_now(work, client, people, clock):
    with work() as uow:
        ref = incidents.declare(uow, declaration=incidents.Declaration(
            type="service_outage", severity="critical",
            context={"playbook": "websocket-service-outage"})).ref
    clock.advance(minutes=2)
    for phase in ("triage", "containment", "eradication"):
        assert client.post(f"/api/v1/incidents/{ref}/transition", json={"phase": phase},
                           headers=people.admin).status_code == 200
    restart = steps(client, people, ref)["websocket-service-outage:rolling-restart"]
    assert restart["state"] == "due_now"
    assert restart["note"] == "awaiting a commander's approval"
    assert restart["run_at"].startswith("2026-01-05T12:02:00")
