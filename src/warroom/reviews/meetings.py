"""The review meeting (seed 002 "Post-Incident Review Meeting"): scheduled
with the incident's role holders as participants, invited by email through
the outbox with an iCalendar attachment, its notes kept with the review."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from icalendar import Calendar, Event, vCalAddress
from sqlalchemy import select

from warroom.audit import service as audit
from warroom.auth import service as users
from warroom.errors import Invalid, NotFound
from warroom.incidents import timeline
from warroom.notify.service import Outgoing, enqueue
from warroom.reviews.models import Meeting

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork
    from warroom.incidents.models import Incident

AGENDA = ("Timeline review", "Root cause analysis", "Response effectiveness",
          "Process improvements", "Action items")
"""Seed 002's review meeting agenda."""


def participants(session: Session, incident: Incident, extra: list[str]) -> list[str]:
    """Usernames holding a role on the incident (primary or backup), then ``extra``."""
    names: list[str] = []
    for assignment in incident.roles:
        for user_id in (assignment.primary_user_id, assignment.backup_user_id):
            user = users.get(session, user_id=user_id) if user_id else None
            if user is not None and user.username not in names:
                names.append(user.username)
    for name in extra:
        username = users.get_by_username_or_raise(session, username=name).username
        if username not in names:
            names.append(username)
    return names


def schedule(uow: UnitOfWork, *, incident: Incident, starts_at: datetime, minutes: int = 60,
             location: str = "", extra: list[str] | None = None) -> Meeting:
    """Schedule (or move) the meeting and email every participant an invite
    (or record one already held, which sends nothing)."""
    if not 15 <= minutes <= 480:
        raise Invalid("A review meeting lasts 15 to 480 minutes.")
    held = starts_at < uow.now()  # a meeting already held is recorded, nobody is invited
    names = participants(uow.session, incident, extra or [])
    if not names:
        raise Invalid(f"{incident.ref} has nobody in a role to invite; assign roles or name "
                      "participants.")
    meeting = get(uow.session, incident_id=incident.id)
    if meeting is None:
        meeting = Meeting(incident_id=incident.id, uid=f"{secrets.token_hex(12)}@warroom",
                          notes="", sequence=0, created_at=uow.now(),
                          created_by=uow.actor.label)
        uow.session.add(meeting)
    else:
        meeting.sequence += 1
    meeting.starts_at, meeting.minutes = starts_at, minutes
    meeting.location, meeting.participants = location.strip()[:500], names
    uow.session.flush()
    people = [users.get_by_username_or_raise(uow.session, username=name) for name in names]
    invite = ical(meeting, incident, emails={p.username: p.email or "" for p in people})
    for user in people:
        if held or not user.email:
            continue
        enqueue(uow, message=Outgoing(
            channel="email", destination=user.email, kind="review_meeting",
            recipient=user.username, incident_id=incident.id,
            key=f"review-meeting:{meeting.uid}:{meeting.sequence}:{user.id}",
            subject=f"{'[DRILL] ' if incident.is_drill else ''}[warroom] Review meeting for "
                    f"{incident.ref}: {starts_at:%Y-%m-%d %H:%M} UTC",
            body=_body(meeting, incident), payload={"calendar": invite}))
    timeline.add(uow, incident_id=incident.id, kind="review",
                 summary=f"Review meeting scheduled for {starts_at:%Y-%m-%d %H:%M} UTC with "
                         + ", ".join(names),
                 data={"action": "meeting_scheduled", "starts_at": starts_at.isoformat(),
                       "participants": names})
    audit.record(uow, action="review.meeting", target=f"incident:{incident.ref}/review",
                 after={"starts_at": starts_at, "minutes": minutes, "participants": names})
    return meeting


def attach_notes(uow: UnitOfWork, *, incident: Incident, notes: str) -> Meeting:
    meeting = get(uow.session, incident_id=incident.id)
    if meeting is None:
        raise NotFound(f"{incident.ref} has no review meeting; schedule one first.")
    before = meeting.notes
    meeting.notes = notes[:100_000]
    audit.record(uow, action="review.meeting_notes", target=f"incident:{incident.ref}/review",
                 before={"notes": before}, after={"notes": meeting.notes})
    return meeting


def get(session: Session, *, incident_id: int) -> Meeting | None:
    return session.scalar(select(Meeting).where(Meeting.incident_id == incident_id))


def ical(meeting: Meeting, incident: Incident, *, emails: dict[str, str]) -> str:
    calendar = Calendar()
    calendar.add("prodid", "-//warroom//review meeting//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", meeting.uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", meeting.created_at)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.starts_at + timedelta(minutes=meeting.minutes))
    event.add("summary", f"Post-incident review: {incident.ref} {incident.title}")
    event.add("description", _body(meeting, incident))
    if meeting.location:
        event.add("location", meeting.location)
    for name in meeting.participants:
        if not emails.get(name):
            continue
        attendee = vCalAddress(f"mailto:{emails[name]}")
        attendee.params["cn"] = name
        event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    return calendar.to_ical().decode()


def _body(meeting: Meeting, incident: Incident) -> str:
    agenda = "\n".join(f"{n}. {item}" for n, item in enumerate(AGENDA, 1))
    return (f"Post-incident review meeting for {incident.ref} ({incident.severity}): "
            f"{incident.title}\nStarts {meeting.starts_at:%Y-%m-%d %H:%M} UTC, "
            f"{meeting.minutes} minutes{', ' + meeting.location if meeting.location else ''}.\n"
            f"Participants: {', '.join(meeting.participants)}\n\nAgenda:\n{agenda}\n")
