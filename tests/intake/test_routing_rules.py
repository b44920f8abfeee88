"""Routing rules: matching, templates, database rules before shipped ones,
validation, and reloading without a restart."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.intake.conftest import am_alert
from warroom.intake.rules.routing import CompiledRule, Rule

SHIPPED = Path(__file__).resolve().parents[2] / "rules" / "routing"
CHECKOUT_RULE = {"name": "checkout-errors", "match": {"service": "checkout"},
                 "match_re": {"alertname": "(Http|Grpc)Errors.*"}, "type": "third_party",
                 "severity": "high", "services": ["checkout", "{{ labels.region }}"],
                 "playbook": "general-procedure", "escalation_policy": "sev2",
                 "group_by": ["service"], "title": "Checkout errors in {{ labels.region }}"}


@pytest.fixture
def rules_dir(tmp_path, monkeypatch) -> Path:
    """A copy of the shipped rules that the test may edit."""
    from warroom.intake.settings import IntakeSettings

    folder = tmp_path / "routing"
    shutil.copytree(SHIPPED, folder)
    monkeypatch.setattr(IntakeSettings.current(), "routing_rules_dir", folder)
    return folder


def compiled(**fields) -> CompiledRule:
    return CompiledRule.build(Rule(**{**CHECKOUT_RULE, **fields}), origin="test")


def test_equality_and_regex_matchers_must_all_hold():
    rule = compiled()
    assert rule.matches({"service": "checkout", "alertname": "HttpErrorsHigh"})
    assert not rule.matches({"service": "checkout", "alertname": "XHttpErrors"})
    assert not rule.matches({"service": "cart", "alertname": "GrpcErrors"})
    assert not rule.matches({"alertname": "HttpErrors"})


def test_an_absent_label_matches_the_empty_string():
    rule = compiled(match={"env": ""}, match_re={})
    assert rule.matches({"alertname": "x"})
    assert not rule.matches({"env": "prod"})


def test_templates_render_from_the_alert():
    rule = compiled()
    variables = {"labels": {"region": "eu-west"}, "alertname": "HttpErrors", "summary": ""}
    assert rule.title(variables) == "Checkout errors in eu-west"
    assert rule.services(variables) == ["checkout", "eu-west"]


def test_templates_are_sandboxed_and_a_failure_falls_back_to_the_summary():
    rule = compiled(title="{{ labels.__class__.__mro__[1].__subclasses__() }}")
    assert rule.title({"labels": {}, "summary": "Checkout is failing"}) == "Checkout is failing"


@pytest.mark.parametrize(("fields", "problem"), [
    ({"severity": "urgent"}, "severity"),
    ({"type": "alien_invasion"}, "type"),
    ({"match_re": {"alertname": "("}}, "not a valid regular expression"),
    ({"title": "{{ unclosed"}, "does not compile"),
    ({"fallback": True}, "fallback rule"),
    ({"match": {}, "match_re": {}}, "give match or match_re"),
    ({"colour": "red"}, "colour"),
])
def test_invalid_rules_are_refused_naming_the_problem(fields, problem):
    with pytest.raises(ValueError, match=problem):
        Rule(**{**CHECKOUT_RULE, **fields})


def test_a_stored_rule_is_tried_before_the_shipped_ones(send):
    answer = send.client.post("/api/v1/routing/rules", json={
        **CHECKOUT_RULE, "name": "latency-to-sev1", "match": {"alertname": "WebSocketHighLatency"},
        "match_re": {}, "type": "performance_degradation", "severity": "critical",
        "escalation_policy": "sev1", "group_by": ["alertname"], "title": "Latency"},
        headers=send.admin)
    assert answer.status_code == 201, answer.text
    send.alertmanager(am_alert("WebSocketHighLatency", threshold="0.5"))
    assert send.incident("INC-1")["severity"] == "sev1"
    listed = send.client.get("/api/v1/routing/rules", headers=send.headers).json()
    assert listed[0]["name"] == "latency-to-sev1" and listed[0]["origin"] == "database"
    assert listed[-1]["name"] == "fallback"


def test_a_stored_rule_named_like_a_shipped_one_replaces_it(send):
    shipped = send.client.get("/api/v1/routing/rules/websocket-buffer-overflow",
                              headers=send.headers).json()["rule"]
    answer = send.client.post("/api/v1/routing/rules", json={**shipped, "severity": "high",
                                                              "escalation_policy": "sev2"},
                              headers=send.admin)
    assert answer.status_code == 201, answer.text
    listed = send.client.get("/api/v1/routing/rules", headers=send.headers).json()
    versions = [(r["origin"], r["active"]) for r in listed
                if r["name"] == "websocket-buffer-overflow"]
    assert versions == [("database", True), ("rules/routing/40-data-loss.yaml", False)]
    send.alertmanager(am_alert("WebSocketBufferOverflow", instance="ws-1"))
    assert send.incident("INC-1")["severity"] == "sev2"
    assert send.client.delete("/api/v1/routing/rules/websocket-buffer-overflow",
                              headers=send.admin).status_code == 204
    tested = send.client.post("/api/v1/routing/test",
                              json={"labels": {"alertname": "WebSocketBufferOverflow"}},
                              headers=send.headers).json()
    assert (tested["origin"], tested["severity"]) == ("rules/routing/40-data-loss.yaml", "sev3")


def test_stored_rules_can_be_replaced_and_are_audited(send):
    created = send.client.post("/api/v1/routing/rules", json=CHECKOUT_RULE, headers=send.admin)
    assert created.status_code == 201
    changed = send.client.put("/api/v1/routing/rules/checkout-errors",
                              json={**CHECKOUT_RULE, "severity": "critical", "position": 5},
                              headers=send.admin)
    assert changed.status_code == 200, changed.text
    assert changed.json()["position"] == 5
    renamed = send.client.put("/api/v1/routing/rules/checkout-errors",
                              json={**CHECKOUT_RULE, "name": "other"}, headers=send.admin)
    assert renamed.status_code == 422
    actions = [e["action"] for e in send.client.get(
        "/api/v1/audit", params={"target": "routing:checkout-errors"},
        headers=send.admin).json()]
    assert actions == ["routing.create", "routing.update"]


def test_an_invalid_stored_rule_is_422(send):
    answer = send.client.post("/api/v1/routing/rules", json={**CHECKOUT_RULE,
                                                              "severity": "urgent"},
                              headers=send.admin)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "severity"


def test_only_admins_change_rules(client, people):
    answer = client.post("/api/v1/routing/rules", json=CHECKOUT_RULE,
                         headers=people.headers("commander"))
    assert answer.status_code == 403


def test_reload_picks_up_edited_files_without_a_restart(send, rules_dir):
    send.client.get("/api/v1/routing/rules", headers=send.headers)
    path = rules_dir / "40-data-loss.yaml"
    document = yaml.safe_load(path.read_text())
    document["rules"][1]["severity"] = "critical"
    path.write_text(yaml.safe_dump(document))
    send.alertmanager(am_alert("WebSocketBufferOverflow", instance="ws-1"))
    assert send.incident("INC-1")["severity"] == "sev3"
    answer = send.client.post("/api/v1/routing/reload", headers=send.admin)
    assert answer.status_code == 200, answer.text
    send.alertmanager(am_alert("WebSocketBufferOverflow", instance="ws-2"))
    assert send.incident("INC-1")["severity"] == "sev1"


def test_an_invalid_file_is_refused_and_the_old_rules_stay(send, rules_dir):
    send.client.get("/api/v1/routing/rules", headers=send.headers)
    (rules_dir / "60-broken.yaml").write_text(
        "rules:\n  - name: broken\n    match: {alertname: X}\n    type: outage\n"
        "    severity: sev9\n")
    answer = send.client.post("/api/v1/routing/reload", headers=send.admin)
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert "60-broken.yaml" in detail and "type" in detail and "severity" in detail
    send.alertmanager(am_alert("WebSocketServiceDown", instance="ws-1"))
    assert send.incident("INC-1")["severity"] == "sev1"


def test_without_a_fallback_rule_the_set_is_refused(send, rules_dir):
    (rules_dir / "90-fallback.yaml").unlink()
    answer = send.client.post("/api/v1/routing/reload", headers=send.admin)
    assert answer.status_code == 422
    assert "fallback" in answer.json()["detail"]


def test_a_reload_in_another_process_reaches_this_one(send, rules_dir):
    """The CLI runs in its own process; the generation counter in the database
    tells the API process to rebuild its rules before the next alert."""
    from typer.testing import CliRunner

    from warroom.cli import app as cli_app
    from warroom.intake.rules import rulebook

    send.client.get("/api/v1/routing/rules", headers=send.headers)
    this_process = rulebook._cache
    path = rules_dir / "40-data-loss.yaml"
    document = yaml.safe_load(path.read_text())
    document["rules"][1]["severity"] = "critical"
    path.write_text(yaml.safe_dump(document))
    result = CliRunner().invoke(cli_app, ["rules", "reload"])
    assert result.exit_code == 0, result.output
    rulebook._cache = this_process  # as if the CLI had run elsewhere
    assert this_process is not None and this_process.generation == 0
    send.alertmanager(am_alert("WebSocketBufferOverflow", instance="ws-1"))
    assert send.incident("INC-1")["severity"] == "sev1"
