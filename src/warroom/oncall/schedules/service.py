"""Schedules, layers and overrides: create, change, and ask who is on call."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import delete, select

from warroom.audit import service as audit
from warroom.auth import service as users
from warroom.errors import Conflict, Invalid, NotFound, one_of
from warroom.oncall.naming import checked_name
from warroom.oncall.schedules import rotation
from warroom.oncall.schedules.models import Layer, LayerMember, Override, Schedule
from warroom.oncall.schedules.timetable import Cover, Shift, Timetable

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.auth.models import User
    from warroom.db import UnitOfWork

ROTATION_HOURS = {"daily": 24, "weekly": 168}
ROTATIONS = ("daily", "weekly", "custom")
MAX_SHIFT_HOURS = 24 * 28
MAX_PARTICIPANTS = 100
MAX_RANGE = timedelta(days=366)


@dataclass
class LayerSpec:
    """A rotation as a person describes it."""

    name: str
    rotation: str
    participants: list[str]
    starts_at: datetime
    shift_hours: int | None = None
    rank: int | None = None
    ends_at: datetime | None = None
    active_days: str = ""
    active_from: str | None = None
    active_until: str | None = None


def get(session: Session, *, schedule_id: int) -> Schedule | None:
    return session.get(Schedule, schedule_id)


def get_by_name(session: Session, *, name: str) -> Schedule | None:
    return session.scalar(select(Schedule).where(Schedule.name == str(name).strip().lower()))


def get_by_name_or_raise(session: Session, *, name: str) -> Schedule:
    schedule = get_by_name(session, name=name)
    if schedule is None:
        raise NotFound(f"There is no schedule named {name!r}.")
    return schedule


def get_all(session: Session) -> list[Schedule]:
    return list(session.scalars(select(Schedule).order_by(Schedule.name)))


def create(uow: UnitOfWork, *, name: str, time_zone: str, description: str = "") -> Schedule:
    name = checked_name(name, "schedule")
    zone(time_zone)
    if get_by_name(uow.session, name=name):
        raise Conflict(f"A schedule named {name!r} already exists.")
    now = uow.now()
    schedule = Schedule(name=name, time_zone=time_zone, description=description,
                        created_at=now, updated_at=now)
    uow.session.add(schedule)
    uow.session.flush()
    audit.record(uow, action="oncall.schedule.create", target=f"schedule:{name}",
                 after={"time_zone": time_zone, "description": description})
    return schedule


def update(uow: UnitOfWork, *, schedule: Schedule, time_zone: str | None = None,
           description: str | None = None) -> Schedule:
    before = {"time_zone": schedule.time_zone, "description": schedule.description}
    if time_zone is not None:
        zone(time_zone)
        schedule.time_zone = time_zone
    if description is not None:
        schedule.description = description
    schedule.updated_at = uow.now()
    audit.record(uow, action="oncall.schedule.update", target=f"schedule:{schedule.name}",
                 before=before, after={"time_zone": schedule.time_zone,
                                       "description": schedule.description})
    return schedule


def delete_schedule(uow: UnitOfWork, *, schedule: Schedule) -> None:
    """Remove a schedule with its layers and overrides."""
    layer_ids = select(Layer.id).where(Layer.schedule_id == schedule.id)
    uow.session.execute(delete(LayerMember).where(LayerMember.layer_id.in_(layer_ids)))
    uow.session.execute(delete(Layer).where(Layer.schedule_id == schedule.id))
    uow.session.execute(delete(Override).where(Override.schedule_id == schedule.id))
    uow.session.delete(schedule)
    audit.record(uow, action="oncall.schedule.delete", target=f"schedule:{schedule.name}")


def add_layer(uow: UnitOfWork, *, schedule: Schedule, spec: LayerSpec) -> Layer:
    """Add a rotation. ``starts_at`` without a zone is read in the schedule's
    zone; ``rank`` defaults to above every existing layer."""
    hours = _shift_hours(spec)
    if not spec.participants or len(spec.participants) > MAX_PARTICIPANTS:
        raise Invalid(f"A rotation needs 1-{MAX_PARTICIPANTS} participants.")
    people = [users.get_by_username_or_raise(uow.session, username=u) for u in spec.participants]
    tz = zone(schedule.time_zone)
    starts_at = in_zone(spec.starts_at, tz)
    ends_at = in_zone(spec.ends_at, tz) if spec.ends_at else None
    if ends_at is not None and ends_at <= starts_at:
        raise Invalid("A layer must end after it starts.")
    window = _window(spec)
    rank = spec.rank if spec.rank is not None else _next_rank(uow.session, schedule)
    layer = Layer(schedule_id=schedule.id, name=spec.name.strip() or f"layer {rank}", rank=rank,
                  rotation=spec.rotation, shift_hours=hours, starts_at=starts_at,
                  ends_at=ends_at, active_days=spec.active_days.strip().lower(),
                  active_from=window[0], active_until=window[1], created_at=uow.now())
    uow.session.add(layer)
    uow.session.flush()
    for position, person in enumerate(people):
        uow.session.add(LayerMember(layer_id=layer.id, position=position, user_id=person.id))
    schedule.updated_at = uow.now()
    audit.record(uow, action="oncall.layer.add", target=f"schedule:{schedule.name}",
                 after={"layer": layer.name, "rotation": spec.rotation, "shift_hours": hours,
                        "participants": [p.username for p in people], "starts_at": starts_at,
                        "rank": rank})
    return layer


def remove_layer(uow: UnitOfWork, *, schedule: Schedule, layer_id: int) -> None:
    layer = uow.session.get(Layer, layer_id)
    if layer is None or layer.schedule_id != schedule.id:
        raise NotFound(f"Schedule {schedule.name!r} has no layer {layer_id}.")
    uow.session.execute(delete(LayerMember).where(LayerMember.layer_id == layer.id))
    uow.session.delete(layer)
    schedule.updated_at = uow.now()
    audit.record(uow, action="oncall.layer.remove", target=f"schedule:{schedule.name}",
                 before={"layer": layer.name, "id": layer_id})


def add_override(uow: UnitOfWork, *, schedule: Schedule, username: str, starts_at: datetime,
                 ends_at: datetime, replaces: str | None = None, reason: str = "") -> Override:
    """Put ``username`` on call for a while (instead of ``replaces``, or of
    whoever is on call)."""
    tz = zone(schedule.time_zone)
    starts_at, ends_at = in_zone(starts_at, tz), in_zone(ends_at, tz)
    if ends_at <= starts_at:
        raise Invalid("An override must end after it starts.")
    if ends_at - starts_at > MAX_RANGE:
        raise Invalid("An override can last at most 366 days.")
    person = users.get_by_username_or_raise(uow.session, username=username)
    replaced = users.get_by_username_or_raise(uow.session, username=replaces) if replaces \
        else None
    override = Override(schedule_id=schedule.id, user_id=person.id,
                        replaces_user_id=replaced.id if replaced else None, starts_at=starts_at,
                        ends_at=ends_at, reason=reason, created_by=uow.actor.label,
                        created_at=uow.now())
    uow.session.add(override)
    uow.session.flush()
    audit.record(uow, action="oncall.override.add", target=f"schedule:{schedule.name}",
                 after={"id": override.id, "user": person.username,
                        "replaces": replaced.username if replaced else None,
                        "starts_at": starts_at, "ends_at": ends_at, "reason": reason})
    return override


def remove_override(uow: UnitOfWork, *, schedule: Schedule, override_id: int) -> None:
    override = uow.session.get(Override, override_id)
    if override is None or override.schedule_id != schedule.id:
        raise NotFound(f"Schedule {schedule.name!r} has no override {override_id}.")
    uow.session.delete(override)
    audit.record(uow, action="oncall.override.remove", target=f"schedule:{schedule.name}",
                 before={"id": override_id})


def layers(session: Session, *, schedule: Schedule) -> list[tuple[Layer, list[int]]]:
    """The schedule's layers, highest rank first, each with its participants."""
    rows = list(session.scalars(select(Layer).where(Layer.schedule_id == schedule.id)
                                .order_by(Layer.rank.desc(), Layer.id.desc())))
    members: dict[int, list[int]] = {row.id: [] for row in rows}
    for member in session.scalars(select(LayerMember).where(
            LayerMember.layer_id.in_(list(members))).order_by(LayerMember.position)):
        members[member.layer_id].append(member.user_id)
    return [(row, members[row.id]) for row in rows]


def overrides(session: Session, *, schedule: Schedule, start: datetime,
              end: datetime) -> list[Override]:
    return list(session.scalars(select(Override).where(
        Override.schedule_id == schedule.id, Override.ends_at > start,
        Override.starts_at < end).order_by(Override.id)))


def timetable(session: Session, *, schedule: Schedule, start: datetime,
              end: datetime | None = None) -> Timetable:
    """The schedule loaded for evaluation between ``start`` and ``end``."""
    tz = zone(schedule.time_zone)
    rotations = tuple(
        rotation.Rotation(starts_at=layer.starts_at, shift_hours=layer.shift_hours,
                          participants=tuple(members), zone=tz, ends_at=layer.ends_at,
                          window=_layer_window(layer))
        for layer, members in layers(session, schedule=schedule))
    covers = tuple(Cover(o.id, o.user_id, o.replaces_user_id, o.starts_at, o.ends_at)
                   for o in overrides(session, schedule=schedule, start=start,
                                      end=end or start + timedelta(microseconds=1)))
    return Timetable(schedule_id=schedule.id, name=schedule.name, zone=tz, layers=rotations,
                     covers=covers)


def on_call(session: Session, *, schedule: Schedule, at: datetime) -> list[User]:
    """Who is on call at ``at``."""
    ids = timetable(session, schedule=schedule, start=at).on_call(at)
    return _users(session, ids)


def shifts(session: Session, *, schedule: Schedule, start: datetime,
           end: datetime) -> list[Shift]:
    if end <= start:
        raise Invalid("The end of the range must be after its start.")
    if end - start > MAX_RANGE:
        raise Invalid("Ask for at most 366 days at a time.")
    return timetable(session, schedule=schedule, start=start, end=end).shifts(start, end)


LOOKBACK = timedelta(days=30)
LOOKBACK_STEPS = 13
"""How far back a shift in progress is followed to its start: about a year."""


def shifts_with_real_starts(session: Session, *, schedule: Schedule, start: datetime,
                            end: datetime) -> list[Shift]:
    """Like :func:`shifts`, but a shift already in progress at ``start`` keeps
    the start it really had. Calendar feeds are fetched at any time; a shift
    cut at the fetch window would get a new start (and so a new UID) on every
    fetch, and subscribed calendars would churn or duplicate it."""
    found = shifts(session, schedule=schedule, start=start, end=end)
    if not found or found[0].starts_at != start:
        return found
    first, begin = found[0], start
    for _ in range(LOOKBACK_STEPS):
        window_start = begin - LOOKBACK
        earlier = timetable(session, schedule=schedule, start=window_start,
                            end=begin).shifts(window_start, begin)
        if not earlier or earlier[-1].ends_at != begin or earlier[-1].user_ids != first.user_ids:
            break
        begin = earlier[-1].starts_at
        if begin > window_start:
            break  # its real start lies inside this window
    return [Shift(starts_at=begin, ends_at=first.ends_at, user_ids=first.user_ids),
            *found[1:]]


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(f"{name!r} is not an IANA time zone; use a name such as "
                      "'Europe/Berlin', 'America/New_York' or 'UTC'.") from None


def in_zone(moment: datetime, tz: ZoneInfo) -> datetime:
    """An aware instant; a naive time is read as wall time in ``tz``."""
    return rotation.instant(moment, tz) if moment.tzinfo is None else moment


def _users(session: Session, ids: tuple[int, ...]) -> list[User]:
    found = users.get_many(session, ids=ids)
    return [found[i] for i in ids if i in found]


def _shift_hours(spec: LayerSpec) -> int:
    if spec.rotation not in ROTATIONS:
        raise Invalid(one_of(spec.rotation, ROTATIONS, "rotation"))
    if spec.rotation in ROTATION_HOURS:
        if spec.shift_hours not in (None, ROTATION_HOURS[spec.rotation]):
            raise Invalid(f"A {spec.rotation} rotation has {ROTATION_HOURS[spec.rotation]}-hour "
                          "shifts; use rotation 'custom' for other lengths.")
        return ROTATION_HOURS[spec.rotation]
    if spec.shift_hours is None or not 1 <= spec.shift_hours <= MAX_SHIFT_HOURS:
        raise Invalid(f"A custom rotation needs shift_hours between 1 and {MAX_SHIFT_HOURS}.")
    return spec.shift_hours


def _window(spec: LayerSpec) -> tuple[str | None, str | None]:
    if (spec.active_from is None) != (spec.active_until is None):
        raise Invalid("Give both active_from and active_until (HH:MM), or neither.")
    try:
        rotation.parse_days(spec.active_days)
        if spec.active_from is None or spec.active_until is None:
            if spec.active_days.strip():
                raise Invalid("active_days needs active_from and active_until too.")
            return None, None
        start = rotation.parse_clock(spec.active_from)
        end = rotation.parse_clock(spec.active_until)
    except ValueError as bad:
        raise Invalid(str(bad)) from None
    if start == end:
        raise Invalid("active_from and active_until must differ.")
    return start.strftime("%H:%M"), end.strftime("%H:%M")


def _layer_window(layer: Layer) -> rotation.Window | None:
    if layer.active_from is None or layer.active_until is None:
        return None
    return rotation.Window(start=rotation.parse_clock(layer.active_from),
                           end=rotation.parse_clock(layer.active_until),
                           days=rotation.parse_days(layer.active_days))


def _next_rank(session: Session, schedule: Schedule) -> int:
    ranks = [layer.rank for layer, _ in layers(session, schedule=schedule)]
    return max(ranks, default=0) + 1
