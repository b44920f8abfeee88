"""``warroom playbook ...`` works an incident's steps through the same services."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from warroom.cli import app as cli_app

runner = CliRunner()


def run(*args):
    return runner.invoke(cli_app, list(args))


def test_steps_tick_and_dry_run_from_the_command_line(declare, people):
    ref = declare(type="security_breach", severity="critical",
                  labels={"suspicious_ip": "203.0.113.9"})
    table = run("playbook", "steps", ref, "--role", "incident_commander")
    assert table.exit_code == 0, table.output
    assert "initial-response:confirm-incident" in table.output
    assert "security-incident" in table.output
    ticked = run("playbook", "tick", ref, "confirm-incident", "--notes", "confirmed",
                 "--as", "responder")
    assert ticked.exit_code == 0, ticked.output
    shown = json.loads(run("playbook", "steps", ref, "--json").stdout)
    confirm = next(s for s in shown["steps"] if s["step_id"] == "confirm-incident")
    assert (confirm["status"], confirm["done_by"], confirm["notes"]) == (
        "succeeded", "responder", "confirmed")
    plan = json.loads(run("playbook", "dry-run", ref, "security-incident:block-suspicious-ips")
                      .stdout)
    assert plan["command"].startswith("suspicious_ips=$(grep \"SUSPICIOUS_PATTERN\"")
    assert plan["would_run"] is False


def test_attach_approve_and_refusals_are_sentences(declare, people):
    ref = declare()
    attached = run("playbook", "attach", ref, "chat-server-failure")
    assert attached.exit_code == 0 and "attached chat-server-failure" in attached.output
    approved = run("playbook", "approve", ref, "enable-maintenance-mode", "--as", "commander")
    assert approved.exit_code == 1
    assert "names a step in several playbooks" in approved.output
    approved = run("playbook", "approve", ref, "chat-server-failure:enable-maintenance-mode",
                   "--as", "commander")
    assert approved.exit_code == 0, approved.output
    refused = run("playbook", "run", ref, "chat-server-failure:enable-maintenance-mode")
    assert refused.exit_code == 1
    assert "WARROOM_PLAYBOOK_API_TOKEN" in refused.output
    missing = run("playbook", "tick", ref, "no-such-step")
    assert missing.exit_code == 1 and "has no playbook step 'no-such-step'" in missing.output


def test_incident_show_lists_what_each_role_has_to_do(declare, people):
    ref = declare()
    shown = json.loads(run("incident", "show", ref, "--json").stdout)
    by_role = shown["incident"]["extra"]["playbooks"]["by_role"]
    assert "initial-response:confirm-incident: Confirm incident (not false positive)" in \
        by_role["incident_commander"]["due_now"]
    assert shown["incident"]["extra"]["comms"]["cadence_minutes"] == 120
