"""The shipped routing rules and Prometheus rules cover every alert the seeds
name, with the seeds' severities and types."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from tests.support.prometheus import PROMTOOL
from warroom.intake.rules import rulebook

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS_RULES = sorted((ROOT / "rules" / "prometheus").glob("*.yml"))

# alert (seed 000 section), labels it carries, and what the seed says it is.
SEED_ALERTS = [
    ("WebSocketServiceDown", {}, "service_outage", "sev1", "websocket-service-outage"),
    ("WebSocketConnectionFailureRate", {}, "service_outage", "sev2",
     "websocket-service-outage"),
    ("WebSocketHighLatency", {"threshold": "1.0"}, "performance_degradation", "sev3",
     "performance-degradation"),
    ("WebSocketHighLatency", {"threshold": "0.5"}, "performance_degradation", "sev3",
     "performance-degradation"),
    ("WebSocketSuspiciousConnections", {}, "security_breach", "sev2", "security-incident"),
    ("WebSocketAuthenticationFailures", {}, "security_breach", "sev3", "security-incident"),
    ("WebSocketUnauthorizedAccess", {}, "security_breach", "sev2", "security-incident"),
    ("WebSocketHighMemoryUsage", {}, "performance_degradation", "sev3",
     "performance-degradation"),
    ("WebSocketHighCPUUsage", {}, "performance_degradation", "sev3", "performance-degradation"),
    ("WebSocketMessageLoss", {}, "data_integrity", "sev2", "data-loss"),
    ("WebSocketBufferOverflow", {}, "data_integrity", "sev3", "data-loss"),
    ("GDPRDataRetentionViolation", {}, "compliance_violation", "sev2", "compliance-violation"),
    ("UnauthorizedDataAccess", {}, "compliance_violation", "sev1", "compliance-violation"),
    ("DataExportWithoutConsent", {}, "compliance_violation", "sev1", "compliance-violation"),
]
SEVERITY_WORDS = {"sev1": "critical", "sev2": "high", "sev3": "medium", "sev4": "low"}


def shipped():
    errors: list[str] = []
    rules = rulebook.load_files(ROOT / "rules" / "routing", errors)
    assert errors == []
    return rulebook.RuleSet(rules=rules, fallback=next(r for r in rules if r.rule.fallback))


@pytest.mark.parametrize(("alertname", "labels", "kind", "severity", "playbook"), SEED_ALERTS)
def test_every_seed_alert_routes_to_its_own_rule(alertname, labels, kind, severity, playbook):
    rule = shipped().route({"alertname": alertname, "job": "websocket-service", **labels})
    assert not rule.rule.fallback
    assert (rule.rule.type, rule.rule.severity, rule.rule.playbook) == (kind, severity, playbook)
    assert rule.rule.escalation_policy == severity


def test_an_alert_no_rule_names_falls_back_to_the_general_procedure():
    rule = shipped().route({"alertname": "DiskAlmostFull", "severity": "warning"})
    assert rule.rule.fallback and rule.name == "fallback"
    assert rule.severity_for("sev3") == "sev3"
    assert rule.severity_for(None) == "sev4"
    variables = {"severity": "sev3", "labels": {}, "alertname": "DiskAlmostFull"}
    assert rule.playbook(variables) == "general-procedure"
    assert rule.escalation_policy(variables) == "sev3"


def test_promtool_accepts_the_prometheus_rule_files():
    assert PROMETHEUS_RULES
    result = subprocess.run([PROMTOOL, "check", "rules", *map(str, PROMETHEUS_RULES)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS: 14 rules found" in result.stdout


def test_the_prometheus_rules_carry_the_seed_alerts_and_severities():
    found = []
    for path in PROMETHEUS_RULES:
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                found.append((rule["alert"], rule["labels"].get("threshold"),
                              rule["labels"]["severity"]))
    expected = [(name, labels.get("threshold"), SEVERITY_WORDS[severity])
                for name, labels, _, severity, _ in SEED_ALERTS]
    assert sorted(found, key=str) == sorted(expected, key=str)


def test_every_prometheus_alert_routes_to_a_rule_of_the_same_severity():
    ruleset = shipped()
    for path in PROMETHEUS_RULES:
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                routed = ruleset.route({"alertname": rule["alert"], **rule["labels"]})
                assert not routed.rule.fallback, rule["alert"]
                assert SEVERITY_WORDS[routed.rule.severity] == rule["labels"]["severity"]
