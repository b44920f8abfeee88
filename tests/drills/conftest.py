"""Drill tests: people for the facilitator and participants, a drill started
through the service, the worker's inject cycle on the test clock, and the
on-call organisation of the on-call tests (pages land at a local receiver)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.oncall.conftest import Org, worker
from warroom.auth import service as users
from warroom.db import Actor
from warroom.drills import engine, service
from warroom.incidents import service as incidents
from warroom.incidents import timeline

__all__ = ["Org", "worker"]

ADMIN = Actor(name="admin", kind="user", role="admin")


@pytest.fixture
def org(database, clock, receiver, worker, people) -> Org:
    return Org(database=database, clock=clock, receiver=receiver, worker=worker, ids={})


@pytest.fixture
def crew(work, people) -> dict[str, int]:
    """carol facilitates; alice and bob take part (each with an email address)."""
    ids = {}
    with work() as uow:
        for name in ("carol", "alice", "bob"):
            ids[name] = users.create(uow, username=name, role="commander",
                                     email=f"{name}@example.com").id
    return ids


class Drills:
    """Start, advance, act on and end drills through the services."""

    def __init__(self, database: Any, clock: Any) -> None:
        self.database, self.clock = database, clock

    def unit(self, actor: Actor = ADMIN) -> Any:
        return self.database.unit_of_work(actor, clock=self.clock)

    def start(self, scenario: str, *, scale: float = 10.0, **options: Any) -> str:
        with self.unit(options.pop("actor", ADMIN)) as uow:
            return service.start(uow, scenario_id=scenario, facilitator="carol",
                                 participants=options.pop("participants", ["alice", "bob"]),
                                 time_scale=scale, **options).ref

    def at(self, ref: str, scenario_minutes: float) -> None:
        """Set the clock to this many scenario minutes after the drill started."""
        with self.database.read() as session:
            drill = service.get_by_ref_or_raise(session, ref=ref)
            self.clock.set(drill.started_at + timedelta(minutes=scenario_minutes
                                                        / drill.time_scale))

    def cycle(self) -> None:
        with self.unit(Actor(name="worker", kind="system")) as uow:
            engine.fire_injects(uow)

    def incident_ref(self, ref: str) -> str:
        with self.database.read() as session:
            drill = service.get_by_ref_or_raise(session, ref=ref)
            assert drill.incident_id is not None
            return f"INC-{drill.incident_id}"

    def act(self, ref: str, do: Any) -> None:
        """Run ``do(uow, incident)`` on the drill's incident."""
        with self.unit() as uow:
            incident = incidents.get_for_update(uow, ref=self.incident_ref(ref))
            do(uow, incident)

    def record(self, drill: str, kind: str, action: str, **data: Any) -> None:
        """A record the evidence or compliance domain would write."""
        self.act(drill, lambda uow, i: timeline.add(uow, incident_id=i.id, kind=kind,
                                                  summary=f"{kind} {action}",
                                                  data={"action": action, **data}))

    def end(self, ref: str) -> Any:
        with self.unit() as uow:
            drill = service.get_by_ref_or_raise(uow.session, ref=ref, lock=True)
            service.end(uow, drill=drill)
            return {"score": drill.score, "scorecard": drill.scorecard,
                    "debrief": drill.debrief}


@pytest.fixture
def drills(database, clock, crew) -> Drills:
    return Drills(database, clock)
