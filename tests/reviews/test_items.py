"""Action items: done needs a note, won't-do a reason; owners are reminded
before and after the due date through the outbox, never after done."""

from __future__ import annotations

from datetime import timedelta

import pytest

from warroom.errors import Invalid
from warroom.incidents import service as incidents
from warroom.reviews import engine, items


@pytest.fixture
def remind(database, clock):
    def cycle() -> None:
        with database.unit_of_work(clock=clock) as uow:
            engine.remind(uow)

    return cycle


def add(work, ref, **fields):
    with work() as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        return items.ref(items.create(uow, incident=incident, new=items.NewItem(**fields)))


def status(work, item_ref, value, note=None):
    with work() as uow:
        items.set_status(uow, item=items.get_for_update(uow, item_ref=item_ref), status=value,
                         note=note)


def test_done_needs_a_note_and_wont_do_a_reason(declare, work, people):
    ref = declare()
    item = add(work, ref, title="Add a pool limit alert", owner="responder")
    with pytest.raises(Invalid, match="what was done"):
        status(work, item, "done")
    with pytest.raises(Invalid, match="why"):
        status(work, item, "wont_do")
    status(work, item, "done", note="alert rule added in PR 12")


@pytest.mark.parametrize("url", ["ftp://tracker/x", "javascript:alert(1)", "https://",
                                 "https://a b/c"])
def test_tracker_urls_are_checked_never_fetched(declare, work, url):
    ref = declare()
    with pytest.raises(Invalid, match="tracker_url"):
        add(work, ref, title="x", tracker_url=url)


def test_reminders_fire_before_and_after_due_and_stop_when_done(
        declare, work, clock, remind, worker, mailbox, people):
    ref = declare()
    due = clock.now() + timedelta(days=3)
    item = add(work, ref, title="Rotate the leaked key", owner="responder", due_at=due)
    clock.advance(days=1, hours=23)
    remind()
    worker.deliver_due()
    assert mailbox.messages == []
    clock.advance(hours=1)  # 24 h before due
    remind()
    remind()  # a second worker cycle sends nothing twice
    worker.deliver_due()
    (first,) = mailbox.wait_for(1)
    assert first["Subject"] == f"[warroom] {item} is due soon ({ref})"
    clock.advance(days=1)  # due now: overdue
    remind()
    worker.deliver_due()
    assert mailbox.wait_for(2)[1]["Subject"] == f"[warroom] {item} is overdue ({ref})"
    status(work, item, "done", note="rotated")
    clock.advance(days=2)
    remind()
    worker.deliver_due()
    assert len(mailbox.messages) == 2


def test_overdue_per_owner_and_playbook_items(declare, work, clock, database, people):
    ref = declare()
    add(work, ref, title="a", owner="responder", due_at=clock.now() + timedelta(hours=1))
    add(work, ref, title="b", owner="responder", team="sre",
        due_at=clock.now() + timedelta(hours=2), playbook="security_breach.yaml")
    add(work, ref, title="c", owner="viewer", due_at=clock.now() + timedelta(days=9))
    clock.advance(hours=3)
    with database.read() as session:
        assert items.overdue_by(session, now=clock.now(), facet="owner") == [
            {"owner": "responder", "overdue": 2}]
        by_team = items.overdue_by(session, now=clock.now(), facet="team")
        assert sorted(by_team, key=lambda row: str(row["team"])) == [
            {"team": None, "overdue": 1}, {"team": "sre", "overdue": 1}]
        open_for = items.open_for_playbook(session, playbook="security_breach.yaml")
    assert [i.title for i in open_for] == ["b"]
    with pytest.raises(Invalid, match="playbook"):
        add(work, ref, title="d", playbook="../etc/passwd.yaml")


def test_action_items_over_the_api(declare, client, people):
    ref = declare()
    made = client.post("/api/v1/action-items", headers=people.headers("responder"),
                       json={"incident": ref, "title": "Add a runbook link", "owner": "responder",
                             "priority": "high", "due_at": "2026-01-06T12:00:00Z",
                             "tracker_url": "https://tracker.example.com/OPS-1"})
    assert made.status_code == 201, made.text
    item = made.json()["ref"]
    refused = client.patch(f"/api/v1/action-items/{item}", headers=people.headers("responder"),
                           json={"status": "done"})
    assert refused.status_code == 422 and "what was done" in refused.json()["detail"]
    done = client.patch(f"/api/v1/action-items/{item}", headers=people.headers("responder"),
                        json={"status": "done", "note": "linked"})
    assert done.json()["status"] == "done"
    assert client.post("/api/v1/action-items", headers=people.headers("viewer"),
                       json={"incident": ref, "title": "x"}).status_code == 403
    listed = client.get("/api/v1/action-items?owner=responder", headers=people.headers("viewer"))
    assert [i["ref"] for i in listed.json()] == [item]
