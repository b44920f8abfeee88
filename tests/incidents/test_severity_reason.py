"""Lowering an incident's severity needs a reason: it slows its escalation and
its response target, so the timeline and the audit log say why."""

from __future__ import annotations

from typer.testing import CliRunner

from warroom.cli import app as cli_app

runner = CliRunner()


def _declare_sev1(client, people) -> None:
    answer = client.post("/api/v1/incidents", json={"type": "service_outage",
                                                    "severity": "critical", "title": "down"},
                         headers=people.admin)
    assert answer.status_code == 201, answer.text


def _severity_events(client, people) -> list[dict]:
    return client.get("/api/v1/incidents/INC-1/timeline", params={"kind": "severity"},
                      headers=people.admin).json()


def test_lowering_without_a_reason_is_refused_naming_reason(client, people):
    _declare_sev1(client, people)
    for body in ({"severity": "low"}, {"severity": "sev3", "reason": "   "}):
        answer = client.patch("/api/v1/incidents/INC-1", json=body, headers=people.admin)
        assert answer.status_code == 422, answer.text
        assert answer.json()["errors"][0]["field"] == "reason"
        assert "sev1" in answer.json()["detail"]
    assert client.get("/api/v1/incidents/INC-1", headers=people.admin).json()["severity"] == "sev1"
    assert _severity_events(client, people) == []


def test_lowering_with_a_reason_records_it(client, people):
    _declare_sev1(client, people)
    answer = client.patch("/api/v1/incidents/INC-1", headers=people.admin,
                          json={"severity": "low", "reason": "only the staging site"})
    assert answer.status_code == 200 and answer.json()["severity"] == "sev4"
    (event,) = _severity_events(client, people)
    assert event["summary"] == "Severity lowered from sev1 to sev4: only the staging site"
    audit = client.get("/api/v1/audit", params={"target": "incident:INC-1"},
                       headers=people.admin).json()
    changed = next(e for e in audit if e["action"] == "incident.severity")
    assert changed["after"]["reason"] == "only the staging site"


def test_raising_needs_no_reason(client, people):
    client.post("/api/v1/incidents", json={"type": "service_outage", "severity": "low"},
                headers=people.admin)
    answer = client.patch("/api/v1/incidents/INC-1", json={"severity": "high"},
                          headers=people.admin)
    assert answer.status_code == 200 and answer.json()["severity"] == "sev2"


def test_the_cli_changes_severity_under_the_same_rule(client, people):
    _declare_sev1(client, people)
    refused = runner.invoke(cli_app, ["incident", "severity", "INC-1", "low"])
    assert refused.exit_code == 1 and "reason" in refused.output
    lowered = runner.invoke(cli_app, ["incident", "severity", "INC-1", "low",
                                      "--reason", "only staging"])
    assert lowered.exit_code == 0, lowered.output
    assert "sev4" in lowered.output
    (event,) = _severity_events(client, people)
    assert event["actor"] and event["summary"].endswith("only staging")
