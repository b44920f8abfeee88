"""Gates: an incident is not resolved until its gates pass, unless a commander
overrides with a reason (audited, on the timeline, remembered when closing)."""

from __future__ import annotations

from typer.testing import CliRunner

from warroom.cli import app as cli_app


def move(client, people, ref, *phases, role="admin", **body):
    answer = None
    for phase in phases:
        answer = client.post(f"/api/v1/incidents/{ref}/transition",
                             json={"phase": phase, **body}, headers=people.headers(role))
    return answer


def test_resolving_is_refused_naming_each_failing_gate(declare, client, people):
    ref = declare(type="data_integrity", severity="high")
    assert move(client, people, ref, "triage", "recovery").status_code == 200
    answer = move(client, people, ref, "lessons_learned")
    assert answer.status_code == 409
    detail = answer.json()["detail"]
    assert detail.startswith(f"{ref} cannot move to lessons_learned: 2 gate(s) have not "
                             "passed: data-loss:validate-data-consistency (Validate data "
                             "consistency) is not run yet: the command is not allow-listed")
    assert "data-loss:message-loss-stopped (Message loss under 100 messages/second) is not " \
           "run yet: no Prometheus is configured" in detail
    assert [g["step"] for g in answer.json()["failing_gates"]] == [
        "data-loss:validate-data-consistency", "data-loss:message-loss-stopped"]
    assert client.get(f"/api/v1/incidents/{ref}", headers=people.admin).json()["phase"] == \
        "recovery"


def test_commander_override_is_audited_on_the_timeline_and_remembered(
        declare, client, people):
    ref = declare(type="data_integrity", severity="high")
    move(client, people, ref, "triage", "recovery")
    reason = "consistency verified by hand from the replica"
    refused = move(client, people, ref, "lessons_learned", role="responder",
                   override_reason=reason)
    assert refused.status_code == 403
    answer = move(client, people, ref, "lessons_learned", role="commander",
                  override_reason=reason)
    assert answer.status_code == 200, answer.text
    (event,) = client.get(f"/api/v1/incidents/{ref}/timeline", params={"kind": "gate"},
                          headers=people.admin).json()
    assert event["actor"] == "commander"
    assert event["summary"] == ("Gate override (data-loss:validate-data-consistency, "
                                "data-loss:message-loss-stopped) to move to lessons_learned: "
                                f"{reason}")
    audit = client.get("/api/v1/audit", params={"action": "playbook.gate_override"},
                       headers=people.admin).json()
    assert audit[0]["after"]["reason"] == reason
    assert len(audit[0]["before"]["failing_gates"]) == 2
    assert move(client, people, ref, "closed", role="commander").status_code == 200
    gates = client.get(f"/api/v1/incidents/{ref}", headers=people.admin).json()["extra"][
        "playbooks"]["gates"]
    assert [(g["passed"], g["overridden"]) for g in gates] == [(False, True), (False, True)]


def test_a_ticked_checklist_gate_lets_the_incident_resolve(declare, client, people):
    ref = declare(type="service_outage")
    client.post(f"/api/v1/incidents/{ref}/playbooks", json={"playbook": "database-unavailability"},
                headers=people.admin)
    move(client, people, ref, "triage", "recovery")
    assert move(client, people, ref, "lessons_learned").status_code == 409
    for step in ("restore-full-functionality", "process-queued-messages",
                 "verify-data-integrity"):
        ticked = client.post(f"/api/v1/incidents/{ref}/steps/{step}/tick",
                             json={"notes": "checked"}, headers=people.headers("responder"))
        assert ticked.status_code == 200, ticked.text
    assert move(client, people, ref, "lessons_learned").status_code == 200


def test_a_gate_cannot_be_skipped_and_a_measured_one_cannot_be_ticked(
        declare, client, people):
    ref = declare(type="data_integrity", severity="high")
    skipped = client.post(f"/api/v1/incidents/{ref}/steps/message-loss-stopped/skip",
                          json={"reason": "no time"}, headers=people.admin)
    assert skipped.status_code == 409 and "cannot be skipped" in skipped.json()["detail"]
    ticked = client.post(f"/api/v1/incidents/{ref}/steps/message-loss-stopped/tick",
                         headers=people.admin)
    assert ticked.status_code == 409 and "measured by the worker" in ticked.json()["detail"]


def test_cli_transition_names_the_gate_and_accepts_an_override(declare, people):
    ref = declare(type="compliance_violation", severity="critical")
    runner = CliRunner()
    for phase in ("triage", "recovery"):
        assert runner.invoke(cli_app, ["incident", "transition", ref, phase]).exit_code == 0
    refused = runner.invoke(cli_app, ["incident", "transition", ref, "resolved"])
    assert refused.exit_code == 1
    assert "compliance-violation:notify-dpo" in refused.output
    done = runner.invoke(cli_app, ["incident", "transition", ref, "resolved",
                                   "--override-reason", "DPO informed by phone",
                                   "--as", "commander"])
    assert done.exit_code == 0, done.output
