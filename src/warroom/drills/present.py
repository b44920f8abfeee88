"""A drill as the API and the CLI show it: the run, its injects, the live
(or final) scorecard and the sandbox status page."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from warroom.drills import schedule, service
from warroom.drills.models import DrillInject
from warroom.drills.schemas import DrillOut, InjectOut, ObjectiveOut, ScheduleOut

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from warroom.drills.models import Drill, DrillSchedule


def drill_out(session: Session, drill: Drill, *, now: datetime) -> DrillOut:
    rows = session.scalars(select(DrillInject).where(DrillInject.drill_id == drill.id)
                           .order_by(DrillInject.due_at, DrillInject.id))
    card = drill.scorecard if drill.scorecard is not None else \
        [vars(r) for r in service.scorecard(session, drill=drill, now=now)]
    return DrillOut(
        id=drill.ref, scenario=drill.scenario, title=drill.title, mode=drill.mode,
        team=drill.team, status=drill.status, facilitator=drill.facilitator,
        participants=list(drill.participants), time_scale=drill.time_scale,
        incident=f"INC-{drill.incident_id}" if drill.incident_id else None,
        started_at=drill.started_at, ended_at=drill.ended_at, score=drill.score,
        scorecard=[ObjectiveOut(**row) for row in card],
        injects=[InjectOut(id=r.inject, due_at=r.due_at, fired_at=r.fired_at,
                           fired_by=r.fired_by, outcome=r.outcome) for r in rows],
        sandbox_status_page=list(drill.sandbox), debrief=drill.debrief)


def schedule_out(row: DrillSchedule) -> ScheduleOut:
    return ScheduleOut(id=row.id, every=row.every, scenario=row.scenario,
                       next_scenario=schedule.scenario_of(row), owner=row.owner, team=row.team,
                       next_at=row.next_at)
