"""The incident CLI calls the same services as the API."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from warroom.cli import app as cli_app

runner = CliRunner()


def run(*args):
    result = runner.invoke(cli_app, list(args))
    return result


def test_declare_list_show_transition_note_assign(database, people):
    declared = run("incident", "declare", "--type", "service_outage", "--severity", "high",
                   "--title", "Chat down", "--service", "chat", "--label", "region=eu",
                   "--json")
    assert declared.exit_code == 0, declared.output
    assert json.loads(declared.stdout)["id"] == "INC-1"
    listed = run("incident", "list", "--json")
    assert [i["id"] for i in json.loads(listed.stdout)["items"]] == ["INC-1"]
    table = run("incident", "list")
    assert "INC-1" in table.stdout and "Chat down" in table.stdout
    assert run("incident", "transition", "INC-1", "triage").exit_code == 0
    assert run("incident", "note", "INC-1", "restarted pods", "--as", "responder").exit_code == 0
    assigned = run("incident", "assign", "INC-1", "--role", "incident_commander", "--primary",
                   "commander", "--backup", "admin")
    assert assigned.exit_code == 0, assigned.output
    shown = json.loads(run("incident", "show", "INC-1", "--json").stdout)
    assert shown["incident"]["phase"] == "triage"
    assert shown["incident"]["roles"][0]["primary"] == "commander"
    kinds = [e["kind"] for e in shown["timeline"]]
    # The two "step" events say which playbooks the declaration attached, and why.
    assert kinds == ["declared", "step", "step", "phase", "note", "role"]
    note = next(e for e in shown["timeline"] if e["kind"] == "note")
    assert note["actor"] == "responder"
    human = run("incident", "show", "INC-1")
    assert "restarted pods" in human.stdout


def test_cli_errors_are_sentences_not_tracebacks(database):
    result = run("incident", "transition", "INC-9", "triage")
    assert result.exit_code == 1
    assert "There is no incident 'INC-9'" in result.output
    bad = run("incident", "declare", "--type", "service_outage", "--severity", "urgent")
    assert bad.exit_code == 1 and "sev1" in bad.output


def test_show_prints_playbooks_and_comms_as_text_not_python_reprs(database, people):
    declared = run("incident", "declare", "--type", "service_outage", "--severity", "critical",
                   "--title", "WebSocket Service Outage", "--service", "websocket", "--json")
    assert declared.exit_code == 0, declared.output
    shown = json.loads(run("incident", "show", "INC-1", "--json").stdout)
    assert shown["incident"]["extra"].get("playbooks"), "a playbook is attached to outages"
    text = run("incident", "show", "INC-1")
    assert text.exit_code == 0, text.output
    assert "{'" not in text.stdout and "['" not in text.stdout and "': " not in text.stdout
    assert "playbooks:" in text.stdout
    for attached in shown["incident"]["extra"]["playbooks"]["attached"]:
        assert f"playbook: {attached['playbook']}" in text.stdout
