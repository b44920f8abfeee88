"""Schedules over HTTP: rotations, overrides, who is on call, iCalendar."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy.orm import Session

from warroom.auth import service as users
from warroom.auth.deps import requires
from warroom.auth.permissions import Permission
from warroom.db import Actor
from warroom.http import DbInt, read_session, write_unit
from warroom.oncall import settings as oncall_settings
from warroom.oncall.naming import usernames
from warroom.oncall.schedules import calendar, service
from warroom.oncall.schedules.models import Schedule
from warroom.oncall.schedules.schemas import (
    LayerIn,
    LayerOut,
    OnCallOut,
    OverrideIn,
    OverrideOut,
    ScheduleIn,
    ScheduleOut,
    ScheduleUpdate,
    ShiftOut,
)

router = APIRouter(tags=["on-call schedules"])
Reader = Annotated[Actor, requires(Permission.oncall_read)]
Writer = Annotated[Actor, requires(Permission.oncall_write)]
BASE = "/api/v1/oncall/schedules"
ICALENDAR = "text/calendar; charset=utf-8"


@router.get(BASE, response_model=list[ScheduleOut])
def list_schedules(request: Request, actor: Reader) -> list[ScheduleOut]:
    with read_session(request) as session:
        now = request.app.state.clock.now()
        return [present(session, s, now=now) for s in service.get_all(session)]


@router.post(BASE, status_code=201, response_model=ScheduleOut)
def create_schedule(body: ScheduleIn, request: Request, actor: Writer) -> ScheduleOut:
    with write_unit(request, actor) as uow:
        schedule = service.create(uow, name=body.name, time_zone=body.time_zone,
                                  description=body.description)
        return present(uow.session, schedule, now=uow.now())


@router.get(BASE + "/{name}", response_model=ScheduleOut)
def get_schedule(name: str, request: Request, actor: Reader) -> ScheduleOut:
    with read_session(request) as session:
        schedule = service.get_by_name_or_raise(session, name=name)
        return present(session, schedule, now=request.app.state.clock.now())


@router.patch(BASE + "/{name}", response_model=ScheduleOut)
def update_schedule(name: str, body: ScheduleUpdate, request: Request,
                    actor: Writer) -> ScheduleOut:
    with write_unit(request, actor) as uow:
        schedule = service.get_by_name_or_raise(uow.session, name=name)
        service.update(uow, schedule=schedule, time_zone=body.time_zone,
                       description=body.description)
        return present(uow.session, schedule, now=uow.now())


@router.delete(BASE + "/{name}", status_code=204)
def delete_schedule(name: str, request: Request, actor: Writer) -> Response:
    with write_unit(request, actor) as uow:
        service.delete_schedule(uow, schedule=service.get_by_name_or_raise(uow.session,
                                                                           name=name))
    return Response(status_code=204)


@router.post(BASE + "/{name}/layers", status_code=201, response_model=ScheduleOut)
def add_layer(name: str, body: LayerIn, request: Request, actor: Writer) -> ScheduleOut:
    """Add a rotation layer (higher rank wins where it has someone on call)."""
    with write_unit(request, actor) as uow:
        schedule = service.get_by_name_or_raise(uow.session, name=name)
        service.add_layer(uow, schedule=schedule, spec=service.LayerSpec(**body.model_dump()))
        uow.session.flush()
        return present(uow.session, schedule, now=uow.now())


@router.delete(BASE + "/{name}/layers/{layer_id}", response_model=ScheduleOut)
def remove_layer(name: str, layer_id: DbInt, request: Request, actor: Writer) -> ScheduleOut:
    with write_unit(request, actor) as uow:
        schedule = service.get_by_name_or_raise(uow.session, name=name)
        service.remove_layer(uow, schedule=schedule, layer_id=layer_id)
        uow.session.flush()
        return present(uow.session, schedule, now=uow.now())


@router.post(BASE + "/{name}/overrides", status_code=201, response_model=ScheduleOut)
def add_override(name: str, body: OverrideIn, request: Request, actor: Writer) -> ScheduleOut:
    """Put someone on call for a while (a swap, a sick day)."""
    with write_unit(request, actor) as uow:
        schedule = service.get_by_name_or_raise(uow.session, name=name)
        service.add_override(uow, schedule=schedule, username=body.user,
                             starts_at=body.starts_at, ends_at=body.ends_at,
                             replaces=body.replaces, reason=body.reason)
        uow.session.flush()
        return present(uow.session, schedule, now=uow.now())


@router.delete(BASE + "/{name}/overrides/{override_id}", response_model=ScheduleOut)
def remove_override(name: str, override_id: DbInt, request: Request,
                    actor: Writer) -> ScheduleOut:
    with write_unit(request, actor) as uow:
        schedule = service.get_by_name_or_raise(uow.session, name=name)
        service.remove_override(uow, schedule=schedule, override_id=override_id)
        uow.session.flush()
        return present(uow.session, schedule, now=uow.now())


@router.get(BASE + "/{name}/on-call", response_model=OnCallOut)
def who_is_on_call(name: str, request: Request, actor: Reader,
                   at: datetime | None = None) -> OnCallOut:
    """Who is on call now, or at ``at`` (a time without a zone is read in the
    schedule's zone)."""
    with read_session(request) as session:
        schedule = service.get_by_name_or_raise(session, name=name)
        moment = service.in_zone(at, service.zone(schedule.time_zone)) if at \
            else request.app.state.clock.now()
        people = service.on_call(session, schedule=schedule, at=moment)
        return OnCallOut(schedule=schedule.name, at=moment, users=[p.username for p in people])


@router.get(BASE + "/{name}/shifts", response_model=list[ShiftOut])
def list_shifts(name: str, request: Request, actor: Reader, start: datetime | None = None,
                days: Annotated[int, Query(ge=1, le=366)] = 14) -> list[ShiftOut]:
    """The final schedule: who is on call when, layers and overrides applied."""
    with read_session(request) as session:
        schedule = service.get_by_name_or_raise(session, name=name)
        begin = service.in_zone(start, service.zone(schedule.time_zone)) if start \
            else request.app.state.clock.now()
        names = usernames(session)
        return [ShiftOut(starts_at=s.starts_at, ends_at=s.ends_at,
                         users=[names.get(u, str(u)) for u in s.user_ids])
                for s in service.shifts(session, schedule=schedule, start=begin,
                                        end=begin + timedelta(days=days))]


@router.get(BASE + "/{name}/calendar.ics")
def schedule_calendar(name: str, request: Request, actor: Reader,
                      days: Annotated[int | None, Query(ge=1, le=366)] = None) -> Response:
    """iCalendar of the schedule's shifts from a day ago to ``days`` ahead."""
    with read_session(request) as session:
        schedule = service.get_by_name_or_raise(session, name=name)
        start, end, now = _window(request, days)
        body = calendar.for_schedule(session, schedule=schedule, start=start, end=end, now=now)
    return Response(body, media_type=ICALENDAR)


@router.get("/api/v1/oncall/people/{username}/calendar.ics")
def person_calendar(username: str, request: Request, actor: Reader,
                    days: Annotated[int | None, Query(ge=1, le=366)] = None) -> Response:
    """iCalendar of one person's shifts across every schedule."""
    with read_session(request) as session:
        person = users.get_by_username_or_raise(session, username=username)
        start, end, now = _window(request, days)
        body = calendar.for_person(session, user=person, start=start, end=end, now=now)
    return Response(body, media_type=ICALENDAR)


def present(session: Session, schedule: Schedule, *, now: datetime) -> ScheduleOut:
    names = usernames(session)
    layers = [LayerOut(id=layer.id, name=layer.name, rank=layer.rank, rotation=layer.rotation,
                       shift_hours=layer.shift_hours, starts_at=layer.starts_at,
                       ends_at=layer.ends_at, participants=[names.get(m, str(m))
                                                            for m in members],
                       active_days=layer.active_days, active_from=layer.active_from,
                       active_until=layer.active_until)
              for layer, members in service.layers(session, schedule=schedule)]
    overrides = [OverrideOut(id=o.id, user=names.get(o.user_id, str(o.user_id)),
                             replaces=names.get(o.replaces_user_id or 0),
                             starts_at=o.starts_at, ends_at=o.ends_at, reason=o.reason,
                             created_by=o.created_by)
                 for o in service.overrides(session, schedule=schedule, start=now,
                                            end=now + service.MAX_RANGE)]
    return ScheduleOut(name=schedule.name, description=schedule.description,
                       time_zone=schedule.time_zone, layers=layers, overrides=overrides,
                       on_call_now=[u.username for u in service.on_call(
                           session, schedule=schedule, at=now)])


def _window(request: Request, days: int | None) -> tuple[datetime, datetime, datetime]:
    now = request.app.state.clock.now()
    ahead = days or oncall_settings.get().calendar_days
    return now - timedelta(days=1), now + timedelta(days=ahead), now

