"""The review meeting: role holders invited by email through the outbox with
an iCalendar attachment; notes attached."""

from __future__ import annotations

from datetime import timedelta

import pytest
from icalendar import Calendar

from warroom.errors import Invalid
from warroom.incidents import service as incidents
from warroom.incidents import timeline
from warroom.reviews import meetings


def test_participants_get_an_icalendar_invite(declare, assign, work, clock, worker, mailbox,
                                              database, people):
    ref = declare(severity="sev2")
    assign(ref, "incident_commander", "commander", backup="responder")
    starts = clock.now() + timedelta(days=2)
    with work() as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        meeting = meetings.schedule(uow, incident=incident, starts_at=starts, minutes=45,
                                    location="Room 4", extra=["viewer"])
    assert meeting.participants == ["commander", "responder", "viewer"]
    worker.deliver_due()
    received = mailbox.wait_for(3)
    assert sorted(m["To"] for m in received) == ["commander@example.com",
                                                 "responder@example.com",
                                                 "viewer@example.com"]
    (invite,) = [part for part in received[0].walk()
                 if part.get_content_type() == "text/calendar"]
    event = Calendar.from_ical(invite.get_content()).walk("VEVENT")[0]
    assert event["dtstart"].dt == starts
    assert event["dtend"].dt == starts + timedelta(minutes=45)
    assert "Root cause analysis" in str(event["description"])
    with work() as uow:
        meetings.attach_notes(uow, incident=incidents.get_for_update(uow, ref=ref),
                              notes="Agreed on three action items.")
    with database.read() as session:
        incident = incidents.get_by_ref_or_raise(session, ref=ref)
        assert meetings.get(session, incident_id=incident.id).notes.startswith("Agreed")
        (event_row,) = timeline.get_all(session, incident_id=incident.id, kind="review")
    assert event_row.data["action"] == "meeting_scheduled"


def test_a_meeting_needs_someone_and_a_past_one_invites_nobody(declare, work, clock, people,
                                                               worker, mailbox):
    ref = declare()
    with work() as uow, pytest.raises(Invalid, match="nobody"):
        meetings.schedule(uow, incident=incidents.get_for_update(uow, ref=ref),
                          starts_at=clock.now() + timedelta(hours=1))
    with work() as uow:
        meetings.schedule(uow, incident=incidents.get_for_update(uow, ref=ref),
                          starts_at=clock.now() - timedelta(hours=1), extra=["viewer"])
    worker.deliver_due()
    assert mailbox.messages == []
