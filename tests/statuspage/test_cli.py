"""``warroom status ...`` calls the same services as the API."""

from __future__ import annotations

import json
from datetime import timedelta

from typer.testing import CliRunner

from warroom.cli import app as cli_app

runner = CliRunner()


def run(*args):
    return runner.invoke(cli_app, ["status", *args])


def test_the_seed_status_update_from_the_command_line(database, clock):
    done = run("set", "--status", "degraded", "--message", "Elevated error rates.",
               "-c", "chat=operational", "-c", "media=degraded", "--json")
    assert done.exit_code == 0, done.output
    page = json.loads(done.stdout)
    assert page["indicator"] == "minor"
    assert page["current_incident"]["updates"][0]["body"] == "Elevated error rates."
    shown = run("show")
    assert "Minor Service Outage" in shown.stdout and "degraded_performance" in shown.stdout


def test_maintenance_mode_on_and_off(database, clock):
    assert run("maintenance-mode", "on", "-m", "Back soon").exit_code == 0
    listed = json.loads(run("component", "list", "--json").stdout)
    assert {c["status"] for c in listed} == {"under_maintenance"}
    assert run("maintenance-mode", "off").stdout.strip() == "maintenance mode off"
    listed = json.loads(run("component", "list", "--json").stdout)
    assert {c["status"] for c in listed} == {"operational"}


def test_components_are_added_edited_and_removed(database, clock):
    assert run("component", "add", "search", "--group", "Web").exit_code == 0
    edited = run("component", "edit", "search", "--status", "partial")
    assert edited.stdout.strip() == "search: partial_outage"
    assert run("component", "remove", "search").exit_code == 0
    names = [c["name"] for c in json.loads(run("component", "list", "--json").stdout)]
    assert names == ["chat", "media", "authentication"]


def test_a_public_incident_is_opened_updated_and_listed(database, clock):
    opened = run("incident", "open", "Slow uploads", "--body", "Uploads are slow.",
                 "-c", "media=degraded", "--no-notify")
    assert opened.exit_code == 0, opened.output
    code = opened.stdout.split()[1].rstrip(":")
    assert run("incident", "update", code, "--status", "resolved").exit_code == 0
    shown = json.loads(run("incident", "show", code, "--json").stdout)
    assert [u["status"] for u in shown["updates"]] == ["resolved", "investigating"]
    finished = json.loads(run("incident", "list", "--status", "finished", "--json").stdout)
    assert [i["id"] for i in finished] == [code]


def test_a_maintenance_window_is_scheduled_and_moved(database, clock):
    start = (clock.now() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")
    end = (clock.now() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S")
    scheduled = run("maintenance", "schedule", "Patch servers", "--from", start, "--until",
                    end, "-c", "chat")
    assert scheduled.exit_code == 0, scheduled.output
    code = scheduled.stdout.split()[1].rstrip(":")
    assert run("maintenance", "move", code, "in_progress").stdout.strip() == \
        f"{code}: in_progress"
    listed = json.loads(run("maintenance", "list", "--json").stdout)
    assert [(m["name"], m["status"]) for m in listed] == [("Patch servers", "in_progress")]


def test_subscribers_from_the_command_line(database, clock):
    added = run("subscriber", "add-webhook", "https://hooks.example.com/status")
    assert "signing secret (shown once): whsec_" in added.stdout
    assert run("subscriber", "add-email", "ops@example.com").exit_code == 0
    listed = json.loads(run("subscriber", "list", "--json").stdout)
    assert sorted(s["status"] for s in listed["items"]) == ["active", "pending"]


def test_mistakes_are_sentences_not_tracebacks(database, clock):
    unknown = run("set", "--status", "degraded", "-c", "video=degraded")
    assert unknown.exit_code == 1
    assert "'video' is not a component" in unknown.output
    assert run("maintenance-mode", "sideways").exit_code == 1
    assert "name=status" in run("set", "--status", "degraded", "-c", "media").output
