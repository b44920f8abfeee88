"""Seed 002's preparedness checklist: every item with its owner and the date it
was last verified, verified by people and due again after its interval."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from warroom.cli import app as cli_app

SEED_ITEMS = [
    "Incident response team contact list updated", "Communication channels tested",
    "Monitoring alerts configured and tested", "Backup and recovery procedures verified",
    "Incident documentation templates available", "Response tools accessible and functional",
    "Training completed for all team members", "Simulation exercises conducted quarterly",
]


def items(client, people):
    return {i["id"]: i for i in client.get("/api/v1/preparedness",
                                           headers=people.headers("viewer")).json()}


def test_checklist_lists_every_seed_item_with_an_owner_and_no_verification_yet(
        client, people):
    listed = client.get("/api/v1/preparedness", headers=people.headers("viewer")).json()
    assert [i["text"] for i in listed] == SEED_ITEMS
    assert all(i["owner"] and i["last_verified_at"] is None and i["due"] for i in listed)


def test_a_verified_item_is_due_again_after_its_interval(client, people, clock):
    answer = client.post("/api/v1/preparedness/communication-channels/verify",
                         json={"note": "paged the test channel"},
                         headers=people.headers("responder"))
    assert answer.status_code == 200, answer.text
    assert answer.json()["last_verified_by"] == "responder"
    assert answer.json()["due"] is False
    clock.advance(days=89)
    assert items(client, people)["communication-channels"]["due"] is False
    clock.advance(days=1)
    item = items(client, people)["communication-channels"]
    assert item["due"] is True and item["note"] == "paged the test channel"
    audit = client.get("/api/v1/audit", params={"target": "preparedness:communication-channels"},
                       headers=people.admin).json()
    assert [e["action"] for e in audit] == ["preparedness.verify"]


def test_an_admin_hands_an_item_to_another_owner(client, people):
    refused = client.put("/api/v1/preparedness/training/owner", json={"owner": "Dana"},
                         headers=people.headers("commander"))
    assert refused.status_code == 403
    answer = client.put("/api/v1/preparedness/training/owner", json={"owner": "Dana"},
                        headers=people.admin)
    assert answer.json()["owner"] == "Dana"
    assert items(client, people)["training"]["owner"] == "Dana"
    unknown = client.post("/api/v1/preparedness/fire-drill/verify", headers=people.admin)
    assert unknown.status_code == 404 and "simulation-exercises" in unknown.json()["detail"]


def test_warroom_preparedness_shows_owner_and_last_verified_date(database, people):
    runner = CliRunner()
    verified = runner.invoke(cli_app, ["preparedness", "verify", "backup-recovery",
                                       "--note", "restored last night's backup", "--as",
                                       "commander"])
    assert verified.exit_code == 0, verified.output
    shown = runner.invoke(cli_app, ["preparedness"])
    assert shown.exit_code == 0, shown.output
    assert "Backup and" in shown.output and "commander" in shown.output
    assert "2026-01-05" in shown.output and "DUE" in shown.output
    rows = json.loads(runner.invoke(cli_app, ["preparedness", "--json"]).stdout)
    backup = next(r for r in rows if r["id"] == "backup-recovery")
    assert (backup["owner"], backup["last_verified_by"]) == ("Technical Lead", "commander")
