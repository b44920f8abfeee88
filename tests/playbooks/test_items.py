"""Checklist items ticked one by one, each with who and when; the step is done
when every item is."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from warroom.cli import app as cli_app

STEP = "database-compromise:confirm-unauthorized-access"
SEED_002_DECLARATION = {"type": "security_breach", "severity": "critical",
                        "description": "Unauthorized database access detected"}


def declared(client, people) -> str:
    answer = client.post("/api/v1/admin/incidents", headers=people.admin,
                         json=SEED_002_DECLARATION)
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def item_path(ref: str, item: str, step: str = STEP) -> str:
    return f"/api/v1/incidents/{ref}/steps/{step}/items/{item}"


def test_items_are_ticked_one_by_one_and_the_last_finishes_the_step(client, people, clock):
    ref = declared(client, people)
    first = client.post(item_path(ref, "1"), json={"note": "odd SELECTs at night"},
                        headers=people.headers("responder"))
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["status"] == "pending"
    assert [(i["number"], i["text"], i["ticked_by"], i["note"]) for i in body["items"]] == [
        (1, "Unusual query patterns", "responder", "odd SELECTs at night"),
        (2, "Unauthorized access alerts", None, None)]
    assert body["items"][0]["ticked_at"] == clock.now().isoformat().replace("+00:00", "Z")
    undone = client.delete(item_path(ref, "1"), headers=people.headers("responder"))
    assert undone.status_code == 200 and undone.json()["items"][0]["ticked_by"] is None
    client.post(item_path(ref, "1"), headers=people.headers("responder"))
    clock.advance(minutes=2)
    last = client.post(item_path(ref, "unauthorized ACCESS alerts"), headers=people.admin)
    assert last.status_code == 200, last.text
    assert (last.json()["status"], last.json()["done_by"]) == ("succeeded", "admin")
    assert last.json()["items"][1]["ticked_by"] == "admin"
    shown = client.get(f"/api/v1/incidents/{ref}/steps/{STEP}", headers=people.admin).json()
    assert [i["ticked_by"] for i in shown["items"]] == ["responder", "admin"]
    events = client.get(f"/api/v1/incidents/{ref}/timeline", params={"kind": "step"},
                        headers=people.admin).json()
    assert [e["summary"].removeprefix(STEP) for e in events if e["summary"].startswith(STEP)] \
        == [" (Confirm unusual query patterns or unauthorized access alerts) " + what for what in (
            "item 1 (Unusual query patterns) ticked: odd SELECTs at night",
            "item 1 (Unusual query patterns) unticked",
            "item 1 (Unusual query patterns) ticked",
            "item 2 (Unauthorized access alerts) ticked",
            "done: every item ticked")]
    audit = client.get("/api/v1/audit", params={"target": f"incident:{ref}/step:{STEP}"},
                       headers=people.admin).json()
    assert sorted(e["action"] for e in audit) == [
        "playbook.item_tick", "playbook.item_tick", "playbook.item_tick",
        "playbook.item_untick", "playbook.step_tick"]


def test_item_refusals_are_sentences(client, people):
    ref = declared(client, people)
    client.post(item_path(ref, "1"), headers=people.admin)
    again = client.post(item_path(ref, "1"), headers=people.admin)
    assert again.status_code == 409
    assert "already ticked by admin" in again.json()["detail"]
    unknown = client.post(item_path(ref, "7"), headers=people.admin)
    assert unknown.status_code == 404
    assert "its items are: 1. Unusual query patterns; 2. Unauthorized" in \
        unknown.json()["detail"]
    no_items = client.post(item_path(ref, "1", "database-compromise:isolate-database-server"),
                           headers=people.admin)
    assert no_items.status_code == 404
    assert "has no checklist items" in no_items.json()["detail"]
    not_ticked = client.delete(item_path(ref, "2"), headers=people.admin)
    assert not_ticked.status_code == 409 and "is not ticked" in not_ticked.json()["detail"]
    viewer = client.post(item_path(ref, "2"), headers=people.headers("viewer"))
    assert viewer.status_code == 403


def test_items_from_the_command_line(client, people):
    ref = declared(client, people)
    runner = CliRunner()
    ticked = runner.invoke(cli_app, ["playbook", "tick", ref, STEP, "1", "--note", "seen",
                                     "--as", "responder"])
    assert ticked.exit_code == 0, ticked.output
    assert f"{ref}: {STEP} item 1 ticked" in ticked.output
    table = runner.invoke(cli_app, ["playbook", "steps", ref, "--role",
                                    "security_representative"])
    assert "[x] 1. Unusual query patterns (ticked by responder at " in table.output
    assert "[ ] 2. Unauthorized access alerts" in table.output
    undone = runner.invoke(cli_app, ["playbook", "tick", ref, STEP, "1", "--untick"])
    assert undone.exit_code == 0, undone.output
    for item in ("1", "2"):
        assert runner.invoke(cli_app, ["playbook", "tick", ref, STEP, item,
                                       "--as", "admin"]).exit_code == 0
    shown = json.loads(runner.invoke(cli_app, ["playbook", "steps", ref, "--json"]).stdout)
    step = next(s for s in shown["steps"] if s["ref"] == STEP)
    assert step["status"] == "succeeded"
    assert [i["ticked_by"] for i in step["items"]] == ["admin", "admin"]
