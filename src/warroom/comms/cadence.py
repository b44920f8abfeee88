"""The update cadence: how often an incident owes its stakeholders an update.

Seed 002's best practices ask for updates at least hourly for critical
incidents; ``rules/severities.yaml`` gives each severity its cadence
(``update_cadence_minutes``), which WARROOM_COMMS_UPDATE_CADENCE_MINUTES can
override. Each open incident keeps one row saying when its next update is due;
when that moment passes without an update, the communications lead (or, with
nobody in that role, the incident commander) is reminded once for the missed
interval, and the next reminder waits for the next interval.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from warroom.comms import settings as comms_settings
from warroom.comms.models import UpdateCadence
from warroom.incidents import catalog, timeline
from warroom.incidents import service as incident_service
from warroom.incidents.phases import RESOLVED_PHASES, Phase
from warroom.notify.service import notify_person

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork
    from warroom.incidents.models import Incident

RESOLVED = [p.value for p in RESOLVED_PHASES]
BATCH = 500


def minutes_for(severity: str) -> int | None:
    """The cadence of a severity: the setting's override, else the rules file."""
    level = catalog.severity(severity)
    overrides = {catalog.severity(key).id: value
                 for key, value in comms_settings.get().comms_update_cadence_minutes.items()}
    return overrides.get(level.id, level.update_cadence_minutes)


def start(uow: UnitOfWork, incident: Incident, *, context: dict[str, Any]) -> None:
    """A new incident owes its first update one cadence after declaration."""
    row = _row(uow, incident)
    row.next_due_at = _due(incident, incident.declared_at)


def on_update(uow: UnitOfWork, incident: Incident) -> None:
    row = _row(uow, incident)
    row.last_update_at = uow.now()
    row.next_due_at = None if incident.phase in RESOLVED else _due(incident, uow.now())


def on_severity_changed(uow: UnitOfWork, incident: Incident, *, previous: str,
                        current: str) -> None:
    row = _row(uow, incident)
    if incident.phase not in RESOLVED:
        row.next_due_at = _due(incident, row.last_update_at or incident.declared_at)


def on_transitioned(uow: UnitOfWork, incident: Incident, *, previous: Phase,
                    current: Phase) -> None:
    """A resolved incident owes no more updates."""
    if current.value in RESOLVED:
        _row(uow, incident).next_due_at = None


def remind_missed(uow: UnitOfWork) -> datetime | None:
    """Remind about every missed update (engine cycle); the next due time."""
    now = uow.now()
    rows = list(uow.session.scalars(
        select(UpdateCadence).where(
            UpdateCadence.next_due_at <= now,
            UpdateCadence.incident_id.in_(incident_service.ids_outside_phases(RESOLVED)))
        .order_by(UpdateCadence.next_due_at).limit(BATCH)))
    incidents = incident_service.many(uow.session, ids=[row.incident_id for row in rows])
    for row in rows:
        _remind(uow, row, incidents[row.incident_id], now)
    return uow.session.scalar(select(func.min(UpdateCadence.next_due_at))
                              .where(UpdateCadence.next_due_at > now))


def status(session: Session, *, incident: Incident, now: datetime) -> dict[str, Any]:
    row = session.get(UpdateCadence, incident.id)
    due = row.next_due_at if row else None
    return {"cadence_minutes": minutes_for(incident.severity),
            "last_update_at": row.last_update_at if row else None,
            "next_update_due_at": due, "overdue": due is not None and due <= now,
            "reminders_sent": row.reminders if row else 0}


def _remind(uow: UnitOfWork, row: UpdateCadence, incident: Incident, now: datetime) -> None:
    minutes = minutes_for(incident.severity)
    missed_due = row.next_due_at
    if minutes is None or missed_due is None:
        row.next_due_at = None
        return
    interval = timedelta(minutes=minutes)
    row.next_due_at = missed_due + interval * ((now - missed_due) // interval + 1)
    row.reminders += 1
    last = row.last_update_at
    said = f"the last update was at {last:%H:%M} UTC" if last else "no update has been sent"
    person, role = _reminded(incident)
    summary = (f"Status update overdue: {incident.severity} needs one every {minutes} minutes "
               f"and {said}")
    if person is not None:
        notify_person(uow, user_id=person, kind="comms_reminder", incident_id=incident.id,
                      key=f"comms-cadence:{incident.id}:{missed_due.isoformat()}",
                      subject=f"[warroom] {incident.ref}: status update due",
                      body=f"{summary}.\n\nSend one with:\n  warroom comms send {incident.ref} "
                           f"status_update --to role:communications_lead\n")
    timeline.add(uow, incident_id=incident.id, kind="reminder",
                 summary=f"{summary}; reminded {role or 'nobody (assign a communications lead)'}",
                 data={"due_at": missed_due.isoformat(), "cadence_minutes": minutes,
                       "reminded_role": role})


def _reminded(incident: Incident) -> tuple[int | None, str | None]:
    by_role = {r.role: r.primary_user_id for r in incident.roles if r.primary_user_id}
    for role in ("communications_lead", "incident_commander"):
        if role in by_role:
            return by_role[role], role
    return None, None


def _row(uow: UnitOfWork, incident: Incident) -> UpdateCadence:
    row = uow.session.get(UpdateCadence, incident.id)
    if row is None:
        row = UpdateCadence(incident_id=incident.id, reminders=0)
        uow.session.add(row)
    return row


def _due(incident: Incident, since: datetime) -> datetime | None:
    minutes = minutes_for(incident.severity)
    return since + timedelta(minutes=minutes) if minutes else None
