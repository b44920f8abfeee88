"""The intake CLI calls the same services as the API."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from warroom.cli import app as cli_app

runner = CliRunner()


def run(*args):
    return runner.invoke(cli_app, list(args))


def test_send_and_list_alerts(database, people):
    sent = run("alert", "send", "--name", "WebSocketServiceDown", "--label", "job=ws",
               "--as", "responder")
    assert sent.exit_code == 0, sent.output
    assert "incident INC-1" in sent.output and "websocket-service-down" in sent.output
    listed = json.loads(run("alert", "list", "--json").stdout)
    assert listed["total"] == 1 and listed["items"][0]["incident"] == "INC-1"
    assert run("alert", "list").exit_code == 0


def test_rules_list_test_add_and_remove(database, tmp_path):
    listed = json.loads(run("rules", "list", "--json").stdout)
    assert listed[0]["name"] == "websocket-service-down"
    assert listed[-1]["name"] == "fallback"
    assert run("rules", "list").exit_code == 0
    tested = run("rules", "test", "--label", "alertname=WebSocketMessageLoss")
    assert tested.stdout.startswith("websocket-message-loss")
    path = tmp_path / "mine.yaml"
    path.write_text("rules:\n  - name: payments\n    match: {service: payments}\n"
                    "    type: third_party\n    severity: high\n")
    assert run("rules", "add", str(path)).exit_code == 0
    assert run("rules", "test", "--label", "service=payments").stdout.startswith("payments")
    assert run("rules", "add", str(path), "--position", "3").exit_code == 0
    assert run("rules", "remove", "payments").exit_code == 0
    assert run("rules", "test", "--label", "service=payments").stdout.startswith("fallback")


def test_invalid_rules_are_a_sentence_not_a_traceback(database, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("rules:\n  - name: bad\n    match: {a: b}\n    type: outage\n"
                    "    severity: high\n")
    result = run("rules", "add", str(path))
    assert result.exit_code == 1
    assert "type" in result.output and "Traceback" not in result.output


def test_silence_add_list_and_expire(database):
    added = run("silence", "add", "--match", "alertname=WebSocketServiceDown",
                "--match-re", "instance=ws-.*", "--duration", "2h", "--comment",
                "failover drill", "--json")
    assert added.exit_code == 0, added.output
    silence = json.loads(added.stdout)
    assert silence["state"] == "active" and len(silence["matchers"]) == 2
    held = run("alert", "send", "--name", "WebSocketServiceDown", "--label", "instance=ws-1")
    assert "held silenced" in held.stdout
    assert json.loads(run("silence", "list", "--json").stdout)[0]["id"] == silence["id"]
    assert run("silence", "list").exit_code == 0
    expired = run("silence", "expire", str(silence["id"]))
    assert expired.exit_code == 0 and "opened INC-1" in expired.stdout
    assert run("silence", "add", "--match", "a=b", "--duration", "soon",
               "--comment", "x").exit_code == 1


def test_integrations_create_list_revoke(database):
    created = run("integration", "create", "prometheus-eu", "--kind", "alertmanager", "--json")
    assert created.exit_code == 0, created.output
    made = json.loads(created.stdout)
    assert made["url"].endswith(made["key"])
    assert run("integration", "list").exit_code == 0
    assert run("integration", "revoke", str(made["id"])).exit_code == 0
    assert json.loads(run("integration", "list", "--json").stdout)[0]["revoked_at"]


def test_monitoring_off_and_on(database):
    assert "paused" in run("monitoring", "off", "--reason", "maintenance").stdout
    assert "PAUSED" in run("monitoring", "status").stdout
    run("alert", "send", "--name", "WebSocketServiceDown")
    resumed = run("monitoring", "on")
    assert resumed.exit_code == 0 and "opened INC-1" in resumed.stdout
