"""The playbook format: every shipped playbook is valid, traceable to the seeds,
and the committed JSON Schema is the one the models produce."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
import yaml
from typer.testing import CliRunner

from tests.playbooks.conftest import SHIPPED, write_playbook
from warroom.cli import app as cli_app
from warroom.playbooks import catalogue
from warroom.playbooks.format import json_schema, parse_window

if TYPE_CHECKING:
    from pathlib import Path

ROUTED = ["websocket-service-outage", "security-incident", "performance-degradation",
          "data-loss", "compliance-violation", "general-procedure"]
SEED_002 = ["general-procedure", "initial-response", "database-compromise", "account-takeover",
            "chat-server-failure", "database-unavailability", "high-latency-incident",
            "resource-exhaustion", "third-party-incident"]
SEED_000_SECTIONS = {"websocket-service-outage": "2", "security-incident": "3",
                     "performance-degradation": "4", "data-loss": "5",
                     "compliance-violation": "6"}
CHANGES_THINGS = re.compile(r"kubectl (patch|scale|apply|rollout restart|create secret)|"
                            r"iptables -A|ufw deny|FLUSHDB|CONFIG SET|docker-compose (stop|up|"
                            r"build)|apt-get upgrade|go get -u|pg_restore|pg_basebackup|"
                            r"reset-|security-patch|rabbitmq-admin import|BGSAVE|--rdb")


def shipped():
    return [catalogue.load(path) for path in sorted(SHIPPED.glob("*.yaml"))
            if path.name != "selection.yaml"]


def test_every_shipped_playbook_and_the_selection_are_valid():
    report = catalogue.validate()
    assert len(report) == 15
    assert {path: problems for path, problems in report.items() if problems} == {}


def test_committed_json_schema_is_the_generated_one():
    assert (SHIPPED / "schema.json").read_text() == json_schema()


def test_catalogue_has_the_seed_playbooks_under_the_names_routing_uses():
    names = {loaded.name for loaded in shipped()}
    assert names == set(ROUTED) | set(SEED_002)


def test_every_routing_rule_names_a_shipped_playbook():
    rules_dir = SHIPPED.parent / "rules" / "routing"
    named = []
    for path in sorted(rules_dir.glob("*.yaml")):
        for rule in (yaml.safe_load(path.read_text()) or {}).get("rules", []):
            playbook = rule.get("playbook")
            if playbook and "{" not in playbook:
                named.append(playbook)
    assert named, "the routing rules name playbooks"
    assert set(named) <= {loaded.name for loaded in shipped()}


def test_every_step_cites_the_seed_section_it_comes_from():
    for loaded in shipped():
        section = SEED_000_SECTIONS.get(loaded.name)
        for _, step in loaded.playbook.steps():
            if section:
                assert re.match(rf"seed 000 §{section}(\.\d)? ", step.source), \
                    (loaded.name, step.id, step.source)
            else:
                assert step.source.startswith("seed 002 "), (loaded.name, step.id)


def test_seed_000_success_rate_gate_is_the_seeds_query_and_threshold():
    loaded = catalogue.load(SHIPPED / "websocket-service-outage.yaml")
    step = next(s for _, s in loaded.playbook.steps() if s.id == "verify-success-rate")
    assert step.gate and step.kind == "prometheus_check"
    assert step.query == ("rate(websocket_connections_successful_total[5m])/"
                          "rate(websocket_connections_attempted_total[5m])")
    assert step.condition == "> 0.99"
    assert step.due == "45+ minutes"


def test_staged_traffic_restoration_waits_and_checks_at_each_stage():
    loaded = catalogue.load(SHIPPED / "websocket-service-outage.yaml")
    steps = {s.id: s for _, s in loaded.playbook.steps()}
    previous = None
    for weight in (10, 25, 50, 75, 100):
        patch, pause, check = (steps[f"traffic-{weight}"], steps[f"traffic-{weight}-wait"],
                               steps[f"traffic-{weight}-error-rate"])
        assert f'"traffic_weight":"{weight}"' in patch.command and patch.destructive
        assert patch.after == ([previous] if previous else [])
        assert (pause.kind, pause.duration, pause.after) == ("wait", "60s", [patch.id])
        assert check.kind == "prometheus_check" and check.after == [pause.id]
        previous = check.id


def test_commands_that_change_things_need_approval():
    for loaded in shipped():
        for _, step in loaded.playbook.steps():
            if step.kind == "command" and CHANGES_THINGS.search(step.command):
                assert step.destructive, (loaded.name, step.id)


def test_seed_windows_are_understood():
    assert [str(parse_window(w)[:2]) for w in ("0-5 minutes", "5-15 minutes")] == [
        "(datetime.timedelta(0), datetime.timedelta(seconds=300))",
        "(datetime.timedelta(seconds=300), datetime.timedelta(seconds=900))"]
    assert parse_window("45+ minutes").end is None
    assert parse_window("within 4 hours").end.total_seconds() == 4 * 3600
    with pytest.raises(ValueError):
        parse_window("soon")


BROKEN = """
name: broken
version: "1"
title: Broken playbook
source: seed 000 §9
phases:
  - phase: recovery
    steps:
      - id: one
        title: Step one
        role: wizard
        due: 0-5 minutes
        kind: checklist
        source: seed 000 §9.1 Somewhere
      - id: two
        title: Step two
        role: technical_lead
        due: 0-5 minutes
        kind: command
        command: echo hi
        after: [three]
        source: seed 000 §9.1 Somewhere
"""


def test_invalid_playbook_is_reported_with_its_reasons(playbooks_dir):
    path = write_playbook(playbooks_dir, "broken", BROKEN)
    (problems,) = catalogue.validate([path]).values()
    assert any("after ['three']" in p for p in problems)
    write_playbook(playbooks_dir, "broken", BROKEN.replace("[three]", "[one]"))
    (problems,) = catalogue.validate([path]).values()
    assert any("'wizard' is not a valid incident role" in p for p in problems)
    result = CliRunner().invoke(cli_app, ["playbook", "validate", str(path)])
    assert result.exit_code == 1
    assert "wizard" in result.output


def test_cli_validate_accepts_the_shipped_playbooks():
    result = CliRunner().invoke(cli_app, ["playbook", "validate"])
    assert result.exit_code == 0, result.output
    assert result.output.count("ok ") == 15


def test_cli_schema_writes_the_committed_file(tmp_path: Path):
    target = tmp_path / "schema.json"
    result = CliRunner().invoke(cli_app, ["playbook", "schema", "--write", str(target)])
    assert result.exit_code == 0
    assert target.read_text() == (SHIPPED / "schema.json").read_text()
