"""HTTP routes for drills: scenarios, runs, injects, scorecards, schedules."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from warroom.auth.deps import requires
from warroom.auth.permissions import Permission
from warroom.config import get_settings
from warroom.db import Actor
from warroom.drills import present, scenarios, schedule, service
from warroom.drills.schemas import (
    DrillOut,
    DrillScheduleIn,
    DrillStartIn,
    SandboxStatusIn,
    ScenarioOut,
    ScheduleOut,
)
from warroom.errors import Invalid
from warroom.http import read_session, write_unit

router = APIRouter(tags=["drills"])

Reader = Annotated[Actor, requires(Permission.drill_read)]
Runner = Annotated[Actor, requires(Permission.drill_run)]
SINCE_UNITS = {"d": 1, "w": 7, "m": 30, "y": 365}


@router.get("/api/v1/drills/scenarios", response_model=list[ScenarioOut])
def list_scenarios(actor: Reader) -> list[ScenarioOut]:
    """The scenario library."""
    return [scenario_out(s) for s in scenarios.get_all()]


@router.get("/api/v1/drills", response_model=list[DrillOut])
def list_drills(request: Request, actor: Reader, status: str | None = None) -> list[DrillOut]:
    now = request.app.state.clock.now()
    with read_session(request) as session:
        return [present.drill_out(session, d, now=now)
                for d in service.get_all(session, status=status)]


@router.post("/api/v1/drills", status_code=201, response_model=DrillOut)
def start(body: DrillStartIn, request: Request, actor: Runner) -> DrillOut:
    """Start a drill: its incident is a drill, paging only the participants."""
    with write_unit(request, actor) as uow:
        drill = service.start(uow, scenario_id=body.scenario, facilitator=body.facilitator,
                              participants=body.participants, time_scale=body.time_scale,
                              live=body.live, team=body.team, page_real=body.page_real)
        return present.drill_out(uow.session, drill, now=uow.now())


@router.get("/api/v1/drills/report")
def report(request: Request, actor: Reader, since: str = "1y") -> dict[str, object]:
    """Drill history with the trend per scenario and team."""
    now = request.app.state.clock.now()
    with read_session(request) as session:
        return {"since": since, "drills": service.history(session, since=now - period(since)),
                "last_finished": schedule.last_finished(session)}


@router.get("/api/v1/drills/schedules", response_model=list[ScheduleOut])
def list_schedules(request: Request, actor: Reader) -> list[ScheduleOut]:
    with read_session(request) as session:
        return [present.schedule_out(r) for r in schedule.get_all(session)]


@router.post("/api/v1/drills/schedules", status_code=201, response_model=ScheduleOut)
def create_schedule(body: DrillScheduleIn, request: Request, actor: Runner) -> ScheduleOut:
    with write_unit(request, actor) as uow:
        row = schedule.create(uow, every=body.every, scenario=body.scenario, owner=body.owner,
                              first=body.first, team=body.team)
        return present.schedule_out(row)


@router.get("/api/v1/drills/calendar.ics", response_class=Response)
def calendar(request: Request, actor: Reader) -> Response:
    """The drill schedules as an iCalendar feed."""
    with read_session(request) as session:
        text = schedule.calendar(session, base_url=get_settings().base_url,
                                 now=request.app.state.clock.now())
    return Response(text, media_type="text/calendar")


@router.get("/api/v1/drills/{ref}", response_model=DrillOut)
def get_drill(ref: str, request: Request, actor: Reader) -> DrillOut:
    """A drill with its injects and its live (or final) scorecard."""
    with read_session(request) as session:
        drill = service.get_by_ref_or_raise(session, ref=ref)
        return present.drill_out(session, drill, now=request.app.state.clock.now())


@router.post("/api/v1/drills/{ref}/injects/{inject}", response_model=DrillOut)
def fire_inject(ref: str, inject: str, request: Request, actor: Runner) -> DrillOut:
    """The facilitator fires an inject now."""
    with write_unit(request, actor) as uow:
        drill = service.get_by_ref_or_raise(uow.session, ref=ref, lock=True)
        service.inject(uow, drill=drill, inject_id=inject)
        return present.drill_out(uow.session, drill, now=uow.now())


@router.post("/api/v1/drills/{ref}/status", response_model=DrillOut)
def sandbox_status(ref: str, body: SandboxStatusIn, request: Request,
                   actor: Runner) -> DrillOut:
    """Post to the drill's sandbox status page (never the public one)."""
    with write_unit(request, actor) as uow:
        drill = service.get_by_ref_or_raise(uow.session, ref=ref, lock=True)
        service.post_sandbox_status(uow, drill=drill, status=body.status, message=body.message)
        return present.drill_out(uow.session, drill, now=uow.now())


@router.post("/api/v1/drills/{ref}/end", response_model=DrillOut)
def end(ref: str, request: Request, actor: Runner) -> DrillOut:
    """End the drill and score it."""
    with write_unit(request, actor) as uow:
        drill = service.get_by_ref_or_raise(uow.session, ref=ref, lock=True)
        service.end(uow, drill=drill)
        return present.drill_out(uow.session, drill, now=uow.now())


def scenario_out(s: scenarios.Scenario) -> ScenarioOut:
    return ScenarioOut(id=s.id, title=s.title, type=s.type, severity=s.severity,
                       difficulty=s.difficulty, duration_minutes=s.duration_minutes,
                       mode=s.mode, objectives=len(s.objectives), injects=len(s.injects))


def period(text: str) -> timedelta:
    """``90d``, ``12w``, ``6m``, ``1y``."""
    value, unit = text.strip()[:-1], text.strip()[-1:].lower()
    if not value.isdigit() or unit not in SINCE_UNITS or len(value) > 4:
        raise Invalid(f"{text!r} is not a period; write e.g. 90d, 12w, 6m or 1y.")
    return timedelta(days=int(value) * SINCE_UNITS[unit])


