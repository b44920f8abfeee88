"""The unit of work owns the timeline: events are queued in the unit and
written in call order, with one INSERT, before commit."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import event, select, text

from warroom import config
from warroom.audit import verify as audit
from warroom.incidents import service as incidents
from warroom.incidents import timeline
from warroom.incidents.models import TimelineEvent

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture(autouse=True)
def no_playbooks(tmp_path, monkeypatch):
    """Incidents without playbooks, so a declaration writes one event."""
    empty = tmp_path / "no-playbooks"
    empty.mkdir()
    monkeypatch.setenv("WARROOM_PLAYBOOKS_DIR", str(empty))
    config.reset()


def declare(work) -> int:
    with work() as uow:
        return incidents.declare(uow, declaration=incidents.Declaration(
            type="service_outage", severity="low", title="buffered")).id


def summaries(database, incident_id: int) -> list[tuple[int, str]]:
    with database.engine.connect() as conn:
        return [(row.id, row.summary) for row in conn.execute(text(
            "SELECT id, summary FROM timeline_events WHERE incident_id = :i ORDER BY id"),
            {"i": incident_id})]


@contextmanager
def timeline_inserts(database) -> Iterator[list[str]]:
    """The INSERT statements sent for timeline_events while the block runs."""
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO TIMELINE_EVENTS"):
            seen.append(statement)

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(database.engine, "before_cursor_execute", record)


def test_two_writers_in_one_unit_come_out_in_call_order(database, work):
    incident_id = declare(work)
    with work() as uow:
        incident = incidents.get(uow.session, incident_id=incident_id)
        timeline.add_all(uow, [{"incident_id": incident_id, "kind": "alert",
                                "summary": "first", "data": None}])
        incidents.add_note(uow, incident=incident, text="second")
        timeline.add_all(uow, [{"incident_id": incident_id, "kind": "alert",
                                "summary": "third", "data": {"n": 3}}])
        timeline.add(uow, incident_id=incident_id, kind="page", summary="fourth")
    events = summaries(database, incident_id)
    assert [summary for _, summary in events[1:]] == ["first", "second", "third", "fourth"]
    assert [event_id for event_id, _ in events] == sorted(event_id for event_id, _ in events)
    with database.read() as session:
        assert audit.verify(session).ok


def test_a_read_in_the_same_unit_sees_the_queued_events(database, work):
    incident_id = declare(work)
    with work() as uow:
        timeline.add(uow, incident_id=incident_id, kind="note", summary="queued")
        assert summaries(database, incident_id)[-1][1] != "queued"  # not written yet
        seen = timeline.get_all(uow.session, incident_id=incident_id)
        assert [e.summary for e in seen][-1] == "queued"
        assert seen[-1].id is not None
        timeline.add(uow, incident_id=incident_id, kind="note", summary="after the read")
    assert [summary for _, summary in summaries(database, incident_id)][-2:] == \
        ["queued", "after the read"]
    with database.read() as session:
        assert audit.verify(session).ok


def test_a_rolled_back_unit_writes_no_event(database, work):
    incident_id = declare(work)
    before = summaries(database, incident_id)
    with timeline_inserts(database) as inserts, pytest.raises(RuntimeError), work() as uow:
        timeline.add(uow, incident_id=incident_id, kind="note", summary="never")
        raise RuntimeError("changed my mind")
    assert inserts == []
    assert summaries(database, incident_id) == before
    with work() as uow:
        assert timeline.get_all(uow.session, incident_id=incident_id)[-1].summary != "never"


def test_a_unit_writes_its_events_with_one_insert(database, work):
    incident_id = declare(work)
    with timeline_inserts(database) as inserts, work() as uow:
        incident = incidents.get(uow.session, incident_id=incident_id)
        for n in range(120):
            if n % 3:
                timeline.add(uow, incident_id=incident_id, kind="alert", summary=f"event {n}")
            else:
                incidents.add_note(uow, incident=incident, text=f"event {n}")
    assert len(inserts) == 1
    assert [summary for _, summary in summaries(database, incident_id)][1:] == \
        [f"event {n}" for n in range(120)]


def test_events_are_written_before_commit_and_sealed(database, work):
    """The queue is written by the seal, so every event is covered."""
    incident_id = declare(work)
    with work() as uow:
        timeline.add(uow, incident_id=incident_id, kind="note", summary="sealed")
        assert uow.session.scalar(select(TimelineEvent.id).where(
            TimelineEvent.summary == "sealed")) is None
    with database.read() as session:
        assert audit.verify(session).ok
        assert session.scalar(select(TimelineEvent.id).where(
            TimelineEvent.summary == "sealed")) is not None
