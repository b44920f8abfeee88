"""Reminders in the incident channel: an incident that has had no update
within its severity's cadence (``update_cadence_minutes`` in
``rules/severities.yaml``: hourly for critical), and key roles nobody holds
(commander, communications lead).

Run by the ``chatops.reminders`` worker cycle on warroom's clock; each
channel is reminded at most once per cadence (or per :data:`DEFAULT_EVERY`
for a severity without one, roles only), and never twice for the same quiet
spell.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from warroom.chatops import channel_events
from warroom.chatops.models import ChatChannel
from warroom.incidents import catalog
from warroom.incidents import service as incidents

if TYPE_CHECKING:
    from datetime import datetime

    from warroom.db import UnitOfWork
    from warroom.incidents.models import Incident

KEY_ROLES = ("incident_commander", "communications_lead")
DEFAULT_EVERY = timedelta(minutes=60)


def remind(uow: UnitOfWork) -> datetime | None:
    now = uow.now()
    due: datetime | None = None
    for row in uow.session.scalars(select(ChatChannel).where(
            ChatChannel.channel.is_not(None), ChatChannel.archived_at.is_(None))):
        incident = incidents.get(uow.session, incident_id=row.incident_id)
        if incident is None or not incident.is_open:
            continue
        cadence = catalog.severity(incident.severity).update_cadence_minutes
        every = timedelta(minutes=cadence) if cadence else DEFAULT_EVERY
        since = max(incident.updated_at, row.reminded_at or row.created_at)
        if since + every > now:
            due = since + every if due is None else min(due, since + every)
            continue
        lines = []
        if cadence and incident.updated_at + every <= now:
            lines.append(f":hourglass: No update on {incident.ref} for "
                         f"{int((now - incident.updated_at).total_seconds() // 60)} min; "
                         f"{incident.severity} asks for one at least every {cadence} min.")
        unclaimed = _unclaimed(incident)
        if unclaimed:
            lines.append(f":busts_in_silhouette: Nobody holds {', '.join(unclaimed)}: "
                         f"`/wr assign {incident.ref} <role> @someone`.")
        row.reminded_at = now
        due = now + every if due is None else min(due, now + every)
        if lines:
            channel_events.tell(uow, incident, "\n".join(lines))
    return due


def _unclaimed(incident: Incident) -> list[str]:
    held = {a.role for a in incident.roles if a.primary_user_id}
    names = {r.id: r.name for r in catalog.roles()}
    return [f"{names.get(role, role)} (`{role}`)" for role in KEY_ROLES if role not in held]
