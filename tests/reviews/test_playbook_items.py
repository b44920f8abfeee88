"""The playbook catalogue (API and ``warroom playbook list``) shows the open
action items that point at each playbook file (seed 002 "Procedure
Updates"), answered by reviews through the playbooks' ``open_items`` hook."""

from __future__ import annotations

import json
from datetime import timedelta

from typer.testing import CliRunner

from warroom.cli import app as cli_app
from warroom.incidents import service as incidents
from warroom.reviews import items

runner = CliRunner()


def add(work, ref: str, **fields) -> str:
    with work() as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        return items.ref(items.create(uow, incident=incident, new=items.NewItem(**fields)))


def test_open_items_per_playbook_in_the_api_and_the_cli(declare, work, clock, client, people):
    ref = declare()
    late = add(work, ref, title="Add the failover step", owner="responder",
               due_at=clock.now() + timedelta(hours=1), playbook="chat-server-failure.yaml")
    later = add(work, ref, title="Name the on-call channel",
                due_at=clock.now() + timedelta(days=5), playbook="chat-server-failure.yaml")
    done = add(work, ref, title="Fixed already", playbook="chat-server-failure.yaml")
    add(work, ref, title="Not about a playbook")
    add(work, ref, title="A file that is not a playbook", playbook="no-such-playbook.yaml")
    with work() as uow:
        item = items.get_for_update(uow, item_ref=done)
        items.set_status(uow, item=item, status="done", note="merged")
    clock.advance(hours=2)

    answer = client.get("/api/v1/playbooks", headers=people.headers("viewer"))
    assert answer.status_code == 200
    by_name = {p["name"]: p for p in answer.json()}
    chat = by_name["chat-server-failure"]
    assert chat["file"] == "chat-server-failure.yaml" and chat["open_items"] == 2
    assert [(i["ref"], i["overdue"], i["owner"], i["incident"]) for i in
            chat["open_action_items"]] == [(late, True, "responder", ref),
                                           (later, False, None, ref)]
    assert all(p["open_items"] == 0 for name, p in by_name.items()
               if name != "chat-server-failure")
    one = client.get("/api/v1/playbooks/chat-server-failure", headers=people.headers("viewer"))
    assert one.json()["open_items"] == 2

    listed = runner.invoke(cli_app, ["playbook", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = {p["name"]: p for p in json.loads(listed.stdout)}
    assert rows["chat-server-failure"]["open_items"] == 2
    table = runner.invoke(cli_app, ["playbook", "list"])
    assert table.exit_code == 0, table.output
    assert "Open action items against playbooks" in table.output
    assert late in table.output and "overdue" in table.output
    assert "Fixed already" not in table.output


def test_an_empty_catalogue_of_items_says_nothing_extra(client, people):
    answer = client.get("/api/v1/playbooks", headers=people.headers("viewer"))
    assert answer.status_code == 200
    assert all(p["open_items"] == 0 and p["open_action_items"] == [] for p in answer.json())
    table = runner.invoke(cli_app, ["playbook", "list"])
    assert table.exit_code == 0 and "Open action items" not in table.output
