"""Several workers never fire one inject twice: on PostgreSQL each due
inject row is claimed with SKIP LOCKED, so a second worker's cycle running
at the same time passes over the rows the first one holds."""

from __future__ import annotations

from sqlalchemy import select

from tests.conftest import ON_POSTGRESQL
from warroom.db import Actor
from warroom.drills import engine
from warroom.drills.models import DrillInject

WORKER = Actor(name="worker", kind="system")


@ON_POSTGRESQL  # SQLite runs one writer at a time: two workers cannot overlap there
def test_two_workers_at_once_fire_each_inject_once(drills, database, clock, backend):
    ref = drills.start("database-breach", scale=10)
    drills.at(ref, 60)
    with drills.unit(WORKER) as first:
        engine.fire_injects(first)
        with drills.unit(WORKER) as second:
            engine.fire_injects(second)
            taken = second.session.scalars(select(DrillInject).where(
                DrillInject.fired_by.is_not(None))).all()
            assert [row.inject for row in taken] == ["alert"]  # only what committed before
    with database.read() as session:
        rows = session.scalars(select(DrillInject).order_by(DrillInject.id)).all()
        assert [(r.inject, r.fired_at is not None) for r in rows] == [
            ("alert", True), ("dba", True), ("audit-log", True), ("worse", True),
            ("journalist", True)]
    drills.cycle()  # nothing left to fire, nothing fired twice
    with database.read() as session:
        assert session.query(DrillInject).filter(DrillInject.fired_at.is_(None)).count() == 0
