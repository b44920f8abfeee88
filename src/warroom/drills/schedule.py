"""Recurring exercises, their reminders and the iCalendar feed, and the
preparedness reminder ("Simulation exercises conducted quarterly").

A schedule's owner is reminded ``WARROOM_DRILLS_SCHEDULE_REMIND_DAYS`` before
each run; once a run's date has passed the schedule moves to the next one.
The preparedness item is checked by every finished drill (see
``service.end``); when the last one is older than
``WARROOM_DRILLS_PREPAREDNESS_DAYS``, the item's owner is reminded once.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from warroom.audit import service as audit
from warroom.auth import service as users
from warroom.drills import scenarios
from warroom.drills import settings as drills_settings
from warroom.drills.models import Drill, DrillReminder, DrillSchedule
from warroom.errors import Invalid, one_of
from warroom.notify.service import notify_person
from warroom.playbooks import preparedness

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork

EVERY = {"month": 1, "quarter": 3, "half-year": 6, "year": 12}
ROTATE = "rotate"
ITEM = "simulation-exercises"


def create(uow: UnitOfWork, *, every: str, scenario: str, owner: str, first: datetime,
           team: str = "") -> DrillSchedule:
    if every not in EVERY:
        raise Invalid(one_of(every, list(EVERY), "interval"))
    if scenario != ROTATE:
        scenarios.get_or_raise(scenario)
    person = users.get_by_username(uow.session, username=owner.strip())
    if person is None:
        raise Invalid(f"There is no warroom user {owner!r} to own the schedule.")
    row = DrillSchedule(every=every, scenario=scenario, owner=person.username, team=team,
                        next_at=first, runs=0, created_at=uow.now(),
                        created_by=uow.actor.label)
    uow.session.add(row)
    uow.session.flush()
    audit.record(uow, action="drill.schedule", target=f"drill_schedule:{row.id}",
                 after={"every": every, "scenario": scenario, "owner": person.username,
                        "first": first.isoformat()})
    return row


def get_all(session: Session) -> list[DrillSchedule]:
    return list(session.scalars(select(DrillSchedule).order_by(DrillSchedule.id)))


def scenario_of(row: DrillSchedule, run: int | None = None) -> str:
    """The scenario of a run (``rotate`` walks the library in order)."""
    if row.scenario != ROTATE:
        return row.scenario
    library = [s.id for s in scenarios.get_all()]
    return library[(row.runs if run is None else run) % len(library)]


def remind(uow: UnitOfWork) -> datetime | None:
    """Remind owners of coming runs, move past runs on, and remind the
    preparedness owner when no drill has finished for too long."""
    settings = drills_settings.get()
    now = uow.now()
    ahead = timedelta(days=settings.drills_schedule_remind_days)
    due: list[datetime] = []
    for row in get_all(uow.session):
        while row.next_at <= now:
            row.next_at, row.runs = add_months(row.next_at, EVERY[row.every]), row.runs + 1
        if row.next_at - ahead <= now:
            _once(uow, f"schedule:{row.id}:{row.next_at.isoformat()}", row.owner,
                  subject=f"Drill on {row.next_at:%Y-%m-%d %H:%M} UTC: {scenario_of(row)}",
                  body=f"A {row.every}ly drill is scheduled for {row.next_at:%Y-%m-%d %H:%M} "
                       f"UTC: scenario {scenario_of(row)}. Start it with warroom drill start "
                       f"{scenario_of(row)} --facilitator {row.owner} --participants ...")
        due.append(row.next_at - ahead if row.next_at - ahead > now else row.next_at)
    due.append(_preparedness(uow, now, timedelta(days=settings.drills_preparedness_days)))
    return min(due)


def last_finished(session: Session) -> datetime | None:
    return session.scalar(select(func.max(Drill.ended_at)).where(Drill.status == "ended"))


def calendar(session: Session, *, base_url: str, now: datetime) -> str:
    """The schedules as an iCalendar feed (RFC 5545): one recurring event each."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//warroom//drills//EN",
             "CALSCALE:GREGORIAN", "X-WR-CALNAME:warroom drills"]
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    for row in get_all(session):
        start = row.next_at.astimezone(UTC)
        lines += ["BEGIN:VEVENT", f"UID:drill-schedule-{row.id}@warroom", f"DTSTAMP:{stamp}",
                  f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
                  f"DTEND:{start + timedelta(hours=4):%Y%m%dT%H%M%SZ}",
                  f"RRULE:FREQ=MONTHLY;INTERVAL={EVERY[row.every]}",
                  f"SUMMARY:{_escape(f'Drill: {scenario_of(row)}')}",
                  f"DESCRIPTION:{_escape('1 h preparation, 2 h simulation, 1 h debrief, action item follow-up. Owner ' + row.owner)}",  # noqa: E501
                  f"URL:{base_url.rstrip('/')}/drills", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(moment.day, 28)
    return moment.replace(year=year, month=month, day=day)


def _preparedness(uow: UnitOfWork, now: datetime, window: timedelta) -> datetime:
    last = last_finished(uow.session)
    since = last or _first_seen(uow)
    if now - since < window:
        return since + window
    owner = next((s.owner for s in preparedness.get_all(uow.session, now=now)
                  if s.item.id == ITEM), "")
    when = "never" if last is None else f"on {last:%Y-%m-%d}"
    _once(uow, f"preparedness:{since.isoformat()}", owner,
          subject="Preparedness: no simulation exercise for 90 days",
          body=f"The last drill finished {when}. Seed 002 asks for simulation exercises "
               "quarterly: schedule one (warroom drill schedule --every quarter) or run one "
               "(warroom drill start).")
    return now + window


def _first_seen(uow: UnitOfWork) -> datetime:
    """Without any drill, the window runs from the first time this cycle ran."""
    key = "preparedness:epoch"
    row = uow.session.get(DrillReminder, key)
    if row is None:
        row = DrillReminder(key=key, sent_at=uow.now())
        uow.session.add(row)
        uow.session.flush()
    return row.sent_at


def _once(uow: UnitOfWork, key: str, owner: str, *, subject: str, body: str) -> None:
    if uow.session.get(DrillReminder, key) is not None:
        return
    uow.session.add(DrillReminder(key=key, sent_at=uow.now()))
    person = users.get_by_username(uow.session, username=owner) if owner else None
    recipients = [person] if person is not None and person.is_active else \
        users.active_admins_with_email(uow.session)
    for user in recipients:
        notify_person(uow, user_id=user.id, kind="drill_reminder", subject=subject, body=body,
                      key=f"drill_reminder:{key}:{user.id}")
    audit.record(uow, action="drill.remind", target=f"drill_reminder:{key}",
                 after={"to": [u.username for u in recipients], "subject": subject})


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,") \
        .replace("\n", "\\n")
