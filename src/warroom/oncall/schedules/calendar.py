"""iCalendar export of the final schedule, per schedule and per person, so
people see their shifts in the calendar they already use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from icalendar import Calendar, Event

from warroom.auth import service as users
from warroom.oncall.schedules import service

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from warroom.auth.models import User
    from warroom.oncall.schedules.models import Schedule
    from warroom.oncall.schedules.timetable import Shift


def for_schedule(session: Session, *, schedule: Schedule, start: datetime, end: datetime,
                 now: datetime) -> bytes:
    """One event per shift, naming who is on call."""
    names = _display_names(session)
    calendar = _calendar(f"On call: {schedule.name}", schedule.time_zone)
    for shift in service.shifts_with_real_starts(session, schedule=schedule, start=start,
                                                    end=end):
        who = ", ".join(names.get(u, f"user {u}") for u in shift.user_ids)
        calendar.add_component(_event(schedule, shift, f"On call: {who} ({schedule.name})",
                                      now=now, key="-".join(map(str, shift.user_ids))))
    return calendar.to_ical()


def for_person(session: Session, *, user: User, start: datetime, end: datetime,
               now: datetime) -> bytes:
    """Every shift of one person, across all schedules."""
    calendar = _calendar(f"On call: {user.display_name or user.username}", "UTC")
    for schedule in service.get_all(session):
        for shift in service.shifts_with_real_starts(session, schedule=schedule, start=start,
                                                    end=end):
            if user.id in shift.user_ids:
                calendar.add_component(_event(schedule, shift, f"On call: {schedule.name}",
                                              now=now, key=str(user.id)))
    return calendar.to_ical()


def _calendar(name: str, time_zone: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//warroom//on-call//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", time_zone)
    return calendar


def _event(schedule: Schedule, shift: Shift, summary: str, *, now: datetime,
           key: str) -> Event:
    event = Event()
    # Stable across exports, so calendar apps update events instead of duplicating them.
    event.add("uid", f"{schedule.id}-{key}-{int(shift.starts_at.timestamp())}@warroom")
    event.add("dtstamp", now)
    event.add("dtstart", shift.starts_at)
    event.add("dtend", shift.ends_at)
    event.add("summary", summary)
    event.add("description", f"warroom schedule {schedule.name} ({schedule.time_zone})")
    event.add("transp", "TRANSPARENT")
    return event


def _display_names(session: Session) -> dict[int, str]:
    return users.display_names(session)
