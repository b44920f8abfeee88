"""Executed step kinds: commands only when allow-listed, with a timeout and a
commander's approval when destructive; HTTP calls with their response
recorded; notifications through the outbox; all of it on the timeline and in
the audit log."""

from __future__ import annotations

import pytest

from tests.playbooks.conftest import write_playbook
from warroom.db import SYSTEM
from warroom.incidents import service as incidents
from warroom.playbooks import execution, service

PROBE = """
name: probe
version: "1"
title: Probe steps
source: seed 000 §2 Probe
phases:
  - phase: triage
    due: 0-5 minutes
    steps:
      - id: touch-marker
        title: Touch the marker file
        role: technical_lead
        kind: command
        command: touch {{ incident.labels.marker }}
        source: seed 000 §2.2 Initial Assessment
      - id: say
        title: Say which incident
        role: technical_lead
        kind: command
        command: echo checking {{ incident.ref }}
        source: seed 000 §2.2 Initial Assessment
      - id: nap
        title: Sleep longer than allowed
        role: technical_lead
        kind: command
        command: sleep 5
        timeout: 1s
        source: seed 000 §2.2 Initial Assessment
      - id: long-nap
        title: Sleep for a long time
        role: technical_lead
        kind: command
        command: sleep 30
        timeout: 5s
        source: seed 000 §2.2 Initial Assessment
      - id: scale
        title: Scale up
        role: technical_lead
        kind: command
        command: echo scaled to 10 replicas
        destructive: true
        source: seed 000 §2.2 Step 3 Enable Fallback Mechanisms
      - id: call
        title: Tell the hook
        role: technical_lead
        kind: http
        method: POST
        url: "{{ incident.labels.hook }}/hook"
        body:
          incident: "{{ incident.ref }}"
          title: "{{ incident.title }}"
        source: seed 000 §2.2 Step 3 Enable Fallback Mechanisms
"""


@pytest.fixture
def probe(playbooks_dir, work, tmp_path):
    """An incident with the probe playbook attached; returns its ref."""
    write_playbook(playbooks_dir, "probe", PROBE)

    def make(**labels: str) -> str:
        with work() as uow:
            incident = incidents.declare(uow, declaration=incidents.Declaration(
                type="third_party", severity="sev3", title="Probe", labels={
                    "marker": str(tmp_path / "ran"), **labels}))
            service.attach(uow, incident=incident, name="probe")
            return incident.ref

    return make


def timeline_of(client, people, ref, kind="step"):
    return client.get(f"/api/v1/incidents/{ref}/timeline", params={"kind": kind},
                      headers=people.admin).json()


def test_command_that_is_not_allow_listed_is_refused_and_never_runs(
        probe, worker, client, people, steps_of, tmp_path):
    ref = probe()
    worker.run_once()
    step = steps_of(ref)["probe:touch-marker"]
    assert step.status == "blocked"
    assert "not allow-listed" in step.blocked_reason
    assert not (tmp_path / "ran").exists()
    answer = client.post(f"/api/v1/incidents/{ref}/steps/touch-marker/run",
                         headers=people.admin)
    assert answer.status_code == 409
    assert "WARROOM_PLAYBOOK_COMMAND_ALLOWLIST" in answer.json()["detail"]
    assert not (tmp_path / "ran").exists()


def test_allow_listed_command_runs_and_its_output_is_on_the_timeline_and_audited(
        probe, configure, worker, client, people, steps_of):
    configure(PLAYBOOK_COMMAND_ALLOWLIST="echo checking *")
    ref = probe()
    worker.run_once()
    step = steps_of(ref)["probe:say"]
    assert (step.status, step.output, step.outcome["exit_code"]) == ("succeeded",
                                                                     "checking INC-1\n", 0)
    (event,) = [e for e in timeline_of(client, people, ref) if e["data"].get("step") == "probe:say"]
    assert event["summary"].startswith("probe:say (Say which incident) succeeded: command "
                                       "exited 0")
    assert event["data"]["output"] == "checking INC-1\n"
    audit = client.get("/api/v1/audit", params={"target": "incident:INC-1/step:probe:say"},
                       headers=people.admin).json()
    assert [e["action"] for e in audit] == ["playbook.step_run"]
    assert audit[0]["after"]["output"] == "checking INC-1\n"
    assert steps_of(ref)["probe:scale"].status == "pending"  # destructive: not approved


def test_command_is_killed_at_its_timeout(probe, configure, worker, steps_of):
    configure(PLAYBOOK_COMMAND_ALLOWLIST="sleep 5")
    ref = probe()
    worker.run_once()
    step = steps_of(ref)["probe:nap"]
    assert step.status == "failed"
    assert step.outcome["timed_out"] is True
    assert 1 <= step.outcome["seconds"] < 3
    assert step.outcome["summary"] == "command timed out after 1 s and was killed"


def test_destructive_step_runs_only_after_a_commander_approves_it(
        probe, configure, worker, client, people, steps_of):
    configure(PLAYBOOK_COMMAND_ALLOWLIST="echo *")
    ref = probe()
    worker.run_once()
    assert steps_of(ref)["probe:scale"].status == "pending"
    early = client.post(f"/api/v1/incidents/{ref}/steps/scale/run", headers=people.admin)
    assert early.status_code == 409 and "must approve it first" in early.json()["detail"]
    refused = client.post(f"/api/v1/incidents/{ref}/steps/scale/approve",
                          headers=people.headers("responder"))
    assert refused.status_code == 403
    approved = client.post(f"/api/v1/incidents/{ref}/steps/scale/approve",
                           json={"note": "capacity is fine"},
                           headers=people.headers("commander"))
    assert approved.status_code == 200, approved.text
    assert approved.json()["approved_by"] == "commander"
    worker.run_once()
    assert steps_of(ref)["probe:scale"].output == "scaled to 10 replicas\n"
    summaries = [e["summary"] for e in timeline_of(client, people, ref)
                 if e["data"].get("step") == "probe:scale"]
    assert summaries[0] == "probe:scale (Scale up) approved: capacity is fine"
    assert summaries[1].startswith("probe:scale (Scale up) succeeded")


def test_dry_run_shows_the_exact_command_with_incident_values_quoted(declare, client, people):
    ref = declare(labels={"suspicious_ip": "192.168.1.100; rm -rf /"})
    plan = client.get(f"/api/v1/incidents/{ref}/steps/block-suspicious-ip/dry-run",
                      headers=people.headers("viewer")).json()
    assert plan["command"] == ("iptables -A INPUT -s '192.168.1.100; rm -rf /' -j DROP\n"
                               "ufw deny from '192.168.1.100; rm -rf /'")
    assert plan["would_run"] is False
    assert "not allow-listed" in plan["reason"]


def test_step_that_needs_an_incident_label_waits_for_it(declare, client, people):
    ref = declare()
    plan = client.get(f"/api/v1/incidents/{ref}/steps/block-suspicious-ip/dry-run",
                      headers=people.admin).json()
    assert plan["reason"] == ("the incident has no 'suspicious_ip' (set it as an incident "
                              "label)")
    client.post(f"/api/v1/incidents/{ref}/steps/block-suspicious-ip/approve",
                headers=people.admin)
    answer = client.post(f"/api/v1/incidents/{ref}/steps/block-suspicious-ip/run",
                         headers=people.admin)
    assert answer.status_code == 409
    assert "suspicious_ip" in answer.json()["detail"]


def test_http_step_calls_an_allow_listed_url_and_records_the_response(
        probe, configure, receiver, worker, steps_of):
    configure(PLAYBOOK_HTTP_ALLOWLIST=receiver.url + "/*")
    ref = probe(hook=receiver.url)
    worker.run_once()
    (request,) = receiver.wait_for(1)
    assert (request.path, request.json()) == ("/hook", {"incident": ref, "title": "Probe"})
    step = steps_of(ref)["probe:call"]
    assert (step.status, step.outcome["status_code"], step.output) == ("succeeded", 200, "ok")


def test_http_step_to_an_internal_address_is_blocked_by_the_outbound_policy(
        probe, configure, receiver, worker, client, people, steps_of, monkeypatch):
    from tests.support.outbound import set_allow_list

    configure(PLAYBOOK_HTTP_ALLOWLIST=receiver.url + "/*")
    set_allow_list(monkeypatch, None)
    ref = probe(hook=receiver.url)
    plan = client.get(f"/api/v1/incidents/{ref}/steps/call/dry-run",
                      headers=people.admin).json()
    assert plan["would_run"] is False and "a loopback address" in plan["reason"]
    worker.run_once()
    step = steps_of(ref)["probe:call"]
    assert step.status == "blocked"
    assert "outbound destination policy" in step.blocked_reason
    assert receiver.requests == []


def test_http_step_whose_name_rebinds_to_loopback_is_refused_when_sent(
        probe, configure, receiver, worker, steps_of, monkeypatch):
    import ipaddress

    from tests.support.outbound import set_allow_list
    from warroom import outbound

    port = receiver.server.server_address[1]
    configure(PLAYBOOK_HTTP_ALLOWLIST=f"http://hooks.example.com:{port}/*")
    set_allow_list(monkeypatch, None)
    answers = iter(["93.184.216.34"])  # public when prepared, loopback when sent
    monkeypatch.setattr(outbound, "resolve", lambda host, port: [
        ipaddress.ip_address(next(answers, "127.0.0.1"))])
    ref = probe(hook=f"http://hooks.example.com:{port}")
    worker.run_once()
    step = steps_of(ref)["probe:call"]
    assert step.status == "failed"
    assert "refused by the outbound destination policy" in step.outcome["summary"]
    assert step.output is None and receiver.requests == []


def test_calls_to_this_warroom_itself_are_not_subject_to_the_policy(
        declare, configure, receiver, worker, client, people, steps_of, monkeypatch):
    from tests.support.outbound import set_allow_list

    configure(PUBLIC_URL=receiver.url, PLAYBOOK_API_TOKEN="wr_playbook_token")
    set_allow_list(monkeypatch, None)
    ref = declare()
    client.post(f"/api/v1/incidents/{ref}/steps/enable-maintenance-mode/approve",
                headers=people.admin)
    client.post(f"/api/v1/incidents/{ref}/steps/enable-maintenance-mode/run",
                headers=people.headers("responder"))
    worker.run_once()
    (request,) = receiver.wait_for(1)
    assert request.path == "/api/v1/admin/maintenance"
    assert steps_of(ref)["general-procedure:enable-maintenance-mode"].status == "succeeded"


def test_seed_maintenance_call_goes_to_this_warroom_with_the_playbook_token(
        declare, configure, receiver, worker, client, people, steps_of):
    ref = declare()
    plan = client.get(f"/api/v1/incidents/{ref}/steps/enable-maintenance-mode/dry-run",
                      headers=people.admin).json()
    assert "WARROOM_PLAYBOOK_API_TOKEN" in plan["reason"]
    configure(PUBLIC_URL=receiver.url, PLAYBOOK_API_TOKEN="wr_playbook_token")
    client.post(f"/api/v1/incidents/{ref}/steps/enable-maintenance-mode/approve",
                headers=people.admin)
    plan = client.get(f"/api/v1/incidents/{ref}/steps/enable-maintenance-mode/dry-run",
                      headers=people.admin).json()
    assert (plan["method"], plan["url"], plan["would_run"]) == (
        "POST", receiver.url + "/api/v1/admin/maintenance", True)
    assert "wr_playbook_token" not in str(plan)
    worker.run_once()
    assert receiver.requests == []  # containment steps start with the containment phase
    queued = client.post(f"/api/v1/incidents/{ref}/steps/enable-maintenance-mode/run",
                         headers=people.headers("responder"))
    assert queued.status_code == 200, queued.text
    worker.run_once()
    (request,) = receiver.wait_for(1)
    assert request.path == "/api/v1/admin/maintenance"
    assert request.headers["authorization"] == "Bearer wr_playbook_token"
    assert request.json() == {"enabled": True,
                              "message": "Security incident - service temporarily unavailable"}
    step = steps_of(ref)["general-procedure:enable-maintenance-mode"]
    assert step.status == "succeeded"
    assert "wr_playbook_token" not in str(step.outcome)


def test_step_whose_worker_died_is_failed_as_unknown_not_run_twice(
        probe, configure, database, clock, worker, steps_of, tmp_path):
    configure(PLAYBOOK_COMMAND_ALLOWLIST="touch *")
    ref = probe()
    with database.unit_of_work(SYSTEM, clock=clock) as uow:
        (job,) = execution.claim_due(uow)
    assert steps_of(ref)["probe:touch-marker"].status == "running"
    clock.advance(minutes=5)
    worker.run_once()
    step = steps_of(ref)["probe:touch-marker"]
    assert step.status == "failed" and step.outcome["lease_expired"] is True
    assert not (tmp_path / "ran").exists()
    assert step.lease_until is None and job.step_run_id == step.id


def test_slow_steps_finish_in_the_background_without_holding_the_cycle(
        probe, configure, worker, steps_of):
    from tests.support.prometheus import eventually

    configure(PLAYBOOK_COMMAND_ALLOWLIST="sleep 30", PLAYBOOK_STEP_WAIT_SECONDS="0.1")
    ref = probe()
    worker.run_once()
    assert steps_of(ref)["probe:long-nap"].status == "running"
    eventually(lambda: steps_of(ref)["probe:long-nap"].status == "failed", timeout=20,
               what="the sleep to be killed at its timeout")
    assert steps_of(ref)["probe:long-nap"].outcome["timed_out"] is True


NOTIFY_DPO = """      - id: notify-dpo
        title: Notify the Data Protection Officer
        role: legal_compliance
        kind: notify
        template: dpo_notice
        to: ["channel:dpo", "role:legal_compliance"]
        gate: true
        source: seed 000 §6.2 Immediate Compliance Actions > Regulatory Notification
"""


def as_notify_step(playbooks_dir):
    """The shipped compliance playbook ticks its DPO step from the breach
    register; this copy sends the notice as a plain notify step instead."""
    path = playbooks_dir / "compliance-violation.yaml"
    text = path.read_text()
    start = text.index("      - id: notify-dpo")
    end = text.index("      - id: update-breach-register")
    path.write_text(text[:start] + NOTIFY_DPO + text[end:])


def test_notify_step_waits_for_its_recipients_then_sends_through_the_outbox(
        declare, assign, configure, worker, mailbox, steps_of, client, people, playbooks_dir):
    as_notify_step(playbooks_dir)
    ref = declare(type="compliance_violation", severity="critical")
    worker.run_once()
    step = steps_of(ref)["compliance-violation:notify-dpo"]
    assert (step.status, step.gate) == ("blocked", True)
    assert "WARROOM_COMMS_CHANNELS" in step.blocked_reason
    configure(COMMS_CHANNELS='{"dpo": "email:dpo@example.com"}')
    client.post(f"/api/v1/incidents/{ref}/steps/notify-dpo/run", headers=people.admin)
    worker.run_once()
    assert "Nobody is assigned to Legal/Compliance" in \
        steps_of(ref)["compliance-violation:notify-dpo"].blocked_reason
    assign(ref, "legal_compliance", "commander")
    client.post(f"/api/v1/incidents/{ref}/steps/notify-dpo/run", headers=people.admin)
    worker.run_once()
    assert steps_of(ref)["compliance-violation:notify-dpo"].status == "succeeded"
    messages = mailbox.wait_for(2)
    assert sorted(m["To"] for m in messages) == ["commander@example.com", "dpo@example.com"]
    dpo = next(m for m in messages if m["To"] == "dpo@example.com")
    assert dpo["Subject"] == "URGENT: Compliance Incident - our service"
    assert f"Compliance incident detected. See http://127.0.0.1:8080/incidents/{ref}" \
        in dpo.get_content()
