"""Any unit of work that writes timeline events wakes the live feed when it
commits (not only console writes), and a rolled-back one does not."""

from __future__ import annotations

import pytest

from warroom.db import SYSTEM
from warroom.incidents import service as incidents
from warroom.incidents import timeline


class Sleeper:
    def __init__(self) -> None:
        self.kicks = 0

    def kick(self) -> None:
        self.kicks += 1


def test_a_committed_timeline_write_kicks_once_and_a_rollback_does_not(database, clock):
    sleeper = Sleeper()
    timeline.on_committed(sleeper.kick)
    with database.unit_of_work(SYSTEM, clock=clock) as uow:
        incident = incidents.declare(uow, declaration=incidents.Declaration(
            type="service_outage", severity="sev2", title="Kick"))
        incidents.add_note(uow, incident=incident, text="one")
        incidents.add_note(uow, incident=incident, text="two")
    assert sleeper.kicks == 1
    with pytest.raises(RuntimeError), database.unit_of_work(SYSTEM, clock=clock) as uow:
        incidents.add_note(uow, incident=incidents.get_for_update(uow, ref=incident.ref),
                           text="three")
        timeline.flush(uow)
        raise RuntimeError("rolled back")
    assert sleeper.kicks == 1
    with database.unit_of_work(SYSTEM, clock=clock) as uow:
        pass  # nothing written: no kick
    assert sleeper.kicks == 1


def test_a_listener_that_is_gone_or_fails_does_not_break_the_write(database, clock):
    class Broken:
        def kick(self) -> None:
            raise ValueError("down")

    broken = Broken()
    timeline.on_committed(broken.kick)
    gone = Sleeper()
    timeline.on_committed(gone.kick)
    del gone
    with database.unit_of_work(SYSTEM, clock=clock) as uow:
        incidents.declare(uow, declaration=incidents.Declaration(
            type="service_outage", severity="sev2", title="Still written"))
    with database.read() as session:
        assert timeline.latest_id(session) > 0
