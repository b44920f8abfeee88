"""The on-call screens: ``/on-call`` (who is on call now for every schedule and
team, the next handoffs, overrides, and the escalation policies as seed 000
§7.1's matrix) and ``/on-call/people/{username}`` (one person's coming shifts).

Reading needs oncall:read and changing overrides oncall:write, as the API's
schedule routes. The screens call the on-call services the API calls, in a
unit of work acting as the signed-in person; bad input re-renders the form
with the sentence beside the field it is about (status 4xx) and the unit of
work rolls back, so nothing is saved. Times are shown in UTC, and the form
reads the times typed into it as UTC, so what a person types is what the
page shows back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from starlette.responses import Response

from warroom.auth import service as users
from warroom.auth.permissions import Permission
from warroom.console.screens import render, see_other
from warroom.console.session import check_csrf, console_requires
from warroom.db import Actor
from warroom.errors import Problem
from warroom.http import DbInt, client_ip
from warroom.oncall.naming import usernames
from warroom.oncall.policies import service as policies
from warroom.oncall.schedules import service as schedules
from warroom.oncall.teams import service as teams

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.oncall.policies.document import Policy
    from warroom.oncall.schedules.models import Schedule
    from warroom.oncall.schedules.timetable import Shift
    from warroom.oncall.targets import TargetSpec

router = APIRouter(include_in_schema=False)
Reader = Annotated[Actor, console_requires(Permission.oncall_read)]
Writer = Annotated[Actor, console_requires(Permission.oncall_write)]
CSRF = [Depends(check_csrf)]
AHEAD = timedelta(days=14)
"""How far ahead handoffs and a person's shifts are looked for."""
HANDOFFS = 3
"""Handoffs shown per schedule."""
OVERRIDE_FIELDS = ("schedule", "user", "starts_at", "ends_at", "replaces", "reason")


def _unit(request: Request, actor: Actor) -> Any:
    return request.app.state.database.unit_of_work(actor, source_ip=client_ip(request),
                                                   clock=request.app.state.clock)


def _status(problem: Problem) -> int:
    return problem.status if problem.status < 500 else 400


@dataclass
class Handoff:
    at: datetime
    before: list[str]
    after: list[str]


@dataclass
class ScheduleView:
    name: str
    time_zone: str
    description: str
    on_call: list[str]
    handoffs: list[Handoff]
    overrides: list[dict[str, Any]] = field(default_factory=list)


# ---- who is on call ------------------------------------------------------------


@router.get("/on-call")
def on_call_page(request: Request, actor: Reader) -> Response:
    return _page(request, actor, form={}, errors={})


def _page(request: Request, actor: Actor, *, form: dict[str, str], errors: dict[str, str],
          status: int = 200) -> Response:
    now = request.app.state.clock.now()
    with request.app.state.database.read() as session:
        names = usernames(session)
        shown = [_schedule_view(session, s, now=now, names=names)
                 for s in schedules.get_all(session)]
        on_call_where: dict[str, list[str]] = {}
        for view in shown:
            for person in view.on_call:
                on_call_where.setdefault(person, []).append(view.name)
        team_rows: list[dict[str, Any]] = [
            {"name": t.name, "description": t.description,
             "members": sorted(m.username for m in teams.members(session, team=t))}
            for t in teams.get_all(session)]
        found = policies.get_all(session)
        people = sorted(names.values())
    matrix = _matrix([f.policy for f in found])
    sources = {f.policy.name: f.source for f in found}
    for row in team_rows:
        row["on_call"] = [(person, on_call_where[person]) for person in row["members"]
                          if person in on_call_where]
    return render(request, actor, "oncall.html", {
        "schedules": shown, "teams": team_rows, "matrix": matrix, "sources": sources,
        "people": people, "now": now, "form": form, "errors": errors}, status=status)


def _schedule_view(session: Session, schedule: Schedule, *, now: datetime,
                   names: dict[int, str]) -> ScheduleView:
    def named(ids: tuple[int, ...] | list[int]) -> list[str]:
        return [names.get(i, str(i)) for i in ids]

    handoffs = [Handoff(at=at, before=named(before), after=named(after))
                for at, before, after in _changes(schedules.shifts(
                    session, schedule=schedule, start=now, end=now + AHEAD), now=now)]
    overrides = [{"id": o.id, "user": names.get(o.user_id, str(o.user_id)),
                  "replaces": names.get(o.replaces_user_id) if o.replaces_user_id else None,
                  "starts_at": o.starts_at, "ends_at": o.ends_at, "reason": o.reason,
                  "created_by": o.created_by, "current": o.starts_at <= now}
                 for o in schedules.overrides(session, schedule=schedule, start=now,
                                              end=now + schedules.MAX_RANGE)]
    return ScheduleView(name=schedule.name, time_zone=schedule.time_zone,
                        description=schedule.description,
                        on_call=[u.username for u in schedules.on_call(
                            session, schedule=schedule, at=now)],
                        handoffs=handoffs, overrides=overrides)


def _changes(found: list[Shift], *, now: datetime
             ) -> list[tuple[datetime, tuple[int, ...], tuple[int, ...]]]:
    """The first few moments after ``now`` when who is on call changes,
    gaps (nobody on call) included."""
    changes: list[tuple[datetime, tuple[int, ...], tuple[int, ...]]] = []
    on_call: tuple[int, ...] = ()
    moment = now
    for shift in found:
        if shift.starts_at > moment and on_call:
            changes.append((moment, on_call, ()))
            on_call = ()
        if shift.user_ids != on_call:
            if shift.starts_at > now:
                changes.append((shift.starts_at, on_call, shift.user_ids))
            on_call = shift.user_ids
        moment = shift.ends_at
    if on_call and found and moment < now + AHEAD:
        changes.append((moment, on_call, ()))
    return changes[:HANDOFFS]


# ---- the escalation matrix -----------------------------------------------------


def _matrix(found: list[Policy]) -> dict[str, Any]:
    """Seed 000 §7.1's table: one row per policy, one column per moment a
    step fires (minutes after the first page, if nobody acknowledges)."""
    columns = sorted({offset for policy in found for offset in policy.offsets()})
    rows = []
    for policy in found:
        cells: dict[int, list[dict[str, Any]]] = {}
        for offset, step in zip(policy.offsets(), policy.steps, strict=True):
            cells.setdefault(offset, []).append({
                "label": step.label, "targets": [_target(t) for t in step.targets],
                "delay": timedelta(seconds=step.delay)})
        rows.append({"name": policy.name, "description": policy.description,
                     "repeat": policy.repeat, "cells": [cells.get(c, []) for c in columns],
                     "notices": [{"after": timedelta(seconds=n.after),
                                  "targets": [_target(t) for t in n.targets], "reason": n.reason}
                                 for n in policy.notices]})
    return {"columns": [_offset_label(c) for c in columns], "rows": rows}


def _target(target: TargetSpec) -> str:
    """``position: on call engineer``: readable, and it wraps in a narrow cell."""
    return f"{target.kind}: {target.name.replace('_', ' ')}"


def _offset_label(seconds: int) -> str:
    if seconds == 0:
        return "Initial response"
    minutes, rest = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    parts = ([f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []) + \
        ([f"{minutes} min"] if minutes else []) + ([f"{rest} s"] if rest else [])
    return " ".join(parts)


# ---- one person ---------------------------------------------------------------


@router.get("/on-call/people")
def find_person(actor: Reader,
                username: Annotated[str, Query(max_length=64)] = "") -> Response:
    """The person filter's target (a plain GET form, so it works without script)."""
    name = username.strip().lower()
    return see_other(f"/on-call/people/{name}" if name else "/on-call")


@router.get("/on-call/people/{username}")
def person_page(request: Request, username: str, actor: Reader) -> Response:
    now = request.app.state.clock.now()
    with request.app.state.database.read() as session:
        person = users.get_by_username_or_raise(session, username=username)
        names = usernames(session)
        rows: list[dict[str, Any]] = []
        covering: list[dict[str, Any]] = []
        on_call_now: list[str] = []
        for schedule in schedules.get_all(session):
            for shift in schedules.shifts(session, schedule=schedule, start=now,
                                          end=now + AHEAD):
                if person.id in shift.user_ids:
                    rows.append({"schedule": schedule.name, "starts_at": shift.starts_at,
                                 "ends_at": shift.ends_at, "current": shift.starts_at <= now,
                                 "with": [names.get(i, str(i)) for i in shift.user_ids
                                          if i != person.id]})
            if person.id in {u.id for u in schedules.on_call(session, schedule=schedule,
                                                             at=now)}:
                on_call_now.append(schedule.name)
            covering += [{"schedule": schedule.name, "starts_at": o.starts_at,
                          "ends_at": o.ends_at, "reason": o.reason,
                          "replaces": names.get(o.replaces_user_id)
                          if o.replaces_user_id else None}
                         for o in schedules.overrides(session, schedule=schedule, start=now,
                                                      end=now + schedules.MAX_RANGE)
                         if o.user_id == person.id]
        rows.sort(key=lambda r: (r["starts_at"], r["schedule"]))
        member_of = teams.teams_of(session, user_id=person.id)
        shown = {"username": person.username}
    return render(request, actor, "oncall_person.html", {
        "person": shown, "shifts": rows, "overrides": covering, "on_call_now": on_call_now,
        "teams": member_of, "now": now, "ahead_days": AHEAD.days})


# ---- overrides ----------------------------------------------------------------


@router.post("/on-call/overrides", dependencies=CSRF)
def add_override(request: Request, actor: Writer,
                 schedule: Annotated[str, Form(max_length=64)] = "",
                 user: Annotated[str, Form(max_length=64)] = "",
                 starts_at: Annotated[str, Form(max_length=40)] = "",
                 ends_at: Annotated[str, Form(max_length=40)] = "",
                 replaces: Annotated[str, Form(max_length=64)] = "",
                 reason: Annotated[str, Form(max_length=500)] = "") -> Response:
    """Put someone on call for a while, as ``POST .../overrides`` does."""
    form = dict(zip(OVERRIDE_FIELDS, (schedule, user, starts_at, ends_at, replaces, reason),
                    strict=True))
    errors: dict[str, str] = {}
    start = _moment(starts_at, "start", errors, "starts_at")
    end = _moment(ends_at, "end", errors, "ends_at")
    if not schedule.strip():
        errors["schedule"] = "Pick the schedule the override is for."
    if not user.strip():
        errors["user"] = "Say who will be on call."
    if errors or start is None or end is None:
        return _page(request, actor, form=form, errors=errors, status=400)
    try:
        with _unit(request, actor) as uow:
            target = _field(lambda: schedules.get_by_name_or_raise(uow.session, name=schedule),
                            "schedule")
            _field(lambda: users.get_by_username_or_raise(uow.session, username=user.strip()),
                   "user")
            if replaces.strip():
                _field(lambda: users.get_by_username_or_raise(uow.session,
                                                              username=replaces.strip()),
                       "replaces")
            _field(lambda: schedules.add_override(
                uow, schedule=target, username=user.strip(), starts_at=start, ends_at=end,
                replaces=replaces.strip() or None, reason=reason.strip()), "ends_at")
    except FieldProblem as bad:
        return _page(request, actor, form=form, errors={bad.field: bad.problem.detail},
                     status=_status(bad.problem))
    return see_other("/on-call#overrides")


@router.post("/on-call/schedules/{name}/overrides/{override_id}/remove", dependencies=CSRF)
def remove_override(request: Request, name: str, override_id: DbInt,
                    actor: Writer) -> Response:
    """End an override early (it is deleted, as the API's DELETE does)."""
    try:
        with _unit(request, actor) as uow:
            schedule = schedules.get_by_name_or_raise(uow.session, name=name)
            schedules.remove_override(uow, schedule=schedule, override_id=override_id)
    except Problem as problem:
        return _page(request, actor, form={}, errors={"overrides": problem.detail},
                     status=_status(problem))
    return see_other("/on-call#overrides")


class FieldProblem(Exception):
    """A domain refusal and the form field it is about."""

    def __init__(self, field: str, problem: Problem) -> None:
        super().__init__(problem.detail)
        self.field = field
        self.problem = problem


def _field(call: Any, name: str) -> Any:
    try:
        return call()
    except Problem as problem:
        raise FieldProblem(name, problem) from None


def _moment(text: str, what: str, errors: dict[str, str], name: str) -> datetime | None:
    """A time typed in the form (a browser's ``datetime-local``), read as UTC."""
    if not text.strip():
        errors[name] = f"Give the {what} time (UTC)."
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        errors[name] = f"{text.strip()!r} is not a date and time; write it as 2026-03-02T09:00."
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
