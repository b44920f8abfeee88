"""A drill's --time-scale compresses the regulatory clocks of a breach opened
on its incident (deadline and reminder points), and never a real incident's."""

from __future__ import annotations

from datetime import timedelta

from tests.compliance.conftest import HOUR
from tests.playbooks.conftest import declare
from warroom.compliance import clocks, engine
from warroom.compliance import service as breaches
from warroom.incidents import service as incidents
from warroom.incidents import timeline

__all__ = ["declare"]


def confirm(drills, incident_ref: str, *, regimes: tuple[str, ...] = ("gdpr",)) -> str:
    with drills.unit() as uow:
        incident = incidents.get_by_ref_or_raise(uow.session, ref=incident_ref)
        return breaches.open_breach(uow, incident=incident, facts={
            "aware_at": uow.now(), "awareness_basis": "the DBA saw the export",
            "regimes": list(regimes)}).ref


def gdpr_clock(database, ref: str):
    with database.read() as session:
        breach = breaches.get_by_ref_or_raise(session, ref=ref)
        return next(c for c in clocks.clocks_of(session, breach_id=breach.id)
                    if (c.regime, c.kind) == ("gdpr", "initial"))


def cycle(database, clock) -> None:
    with database.unit_of_work(clock=clock) as uow:
        engine.run_clocks(uow)


def test_a_ten_times_drill_makes_the_72_hour_gdpr_clock_due_after_7_2_hours(
        drills, database, clock):
    drill = drills.start("database-breach", scale=10)
    aware = clock.now()
    ref = confirm(drills, drills.incident_ref(drill))
    found = gdpr_clock(database, ref)
    assert found.state == "running"
    assert found.due_at == aware + timedelta(hours=7.2)
    assert found.time_scale == 10
    assert found.rule == "72 h after awareness ÷ 10 (drill)"
    assert clocks.points(found.due_at, found.time_scale) == [
        found.due_at - timedelta(hours=h / 10) for h in (48, 24, 12, 4, 1)] + [found.due_at]
    assert found.next_point_at == found.due_at - timedelta(hours=4.8)


def test_the_scaled_reminders_and_the_overdue_escalation_come_at_the_scaled_times(
        drills, database, clock):
    drill = drills.start("database-breach", scale=10)
    aware = clock.now()
    ref = confirm(drills, drills.incident_ref(drill))
    due = aware + timedelta(hours=7.2)
    for hours_before in (48, 24, 12, 4, 1):
        point = due - timedelta(hours=hours_before / 10)
        clock.set(point - timedelta(seconds=1))
        cycle(database, clock)
        assert gdpr_clock(database, ref).last_point_at != point
        clock.set(point)
        cycle(database, clock)
        reached = gdpr_clock(database, ref)
        assert reached.last_point_at == point
        assert reached.overdue_at is None
    assert gdpr_clock(database, ref).reminders == 5
    clock.set(due - timedelta(seconds=1))
    cycle(database, clock)
    assert gdpr_clock(database, ref).overdue_at is None
    clock.set(due)
    cycle(database, clock)
    assert gdpr_clock(database, ref).overdue_at == due
    with database.read() as session:
        incident = incidents.get_by_ref_or_raise(session, ref=drills.incident_ref(drill))
        overdue = [e.data for e in timeline.get_all(session, incident_id=incident.id,
                                                    kind="breach")
                   if (e.data or {}).get("action") == "overdue"]
    assert [e["due"] for e in overdue] == [due.isoformat()]

def test_a_real_incident_keeps_the_law_s_72_hours(drills, database, clock, declare):
    drills.start("database-breach", scale=10)  # a drill running meanwhile changes nothing
    aware = clock.now()
    ref = confirm(drills, declare(type="security_breach", severity="sev2"))
    found = gdpr_clock(database, ref)
    assert found.due_at == aware + 72 * HOUR
    assert found.time_scale == 1
    assert found.rule == "72 h after awareness"
