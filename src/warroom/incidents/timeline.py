"""The incident timeline: what happened, who did it, when.

Every domain writes here through :func:`add` (pages sent, steps run, messages
posted), so an incident reads as one story.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from warroom.db import UnitOfWork
from warroom.incidents.models import TimelineEvent

KINDS = ("declared", "alert", "phase", "severity", "role", "note", "update", "ack", "page",
         "escalation", "delivery", "step", "comms", "evidence", "milestone", "link",
         "sla", "statuspage", "gate", "reminder", "system")


def add(uow: UnitOfWork, *, incident_id: int, kind: str, summary: str,
        data: dict[str, Any] | None = None, actor: str | None = None) -> TimelineEvent:
    event = TimelineEvent(incident_id=incident_id, at=uow.now(), kind=kind,
                          actor=actor or uow.actor.label, summary=summary, data=data)
    uow.session.add(event)
    return event


def get_all(session: Session, *, incident_id: int, kind: str | None = None,
            limit: int = 1000, after_id: int = 0) -> list[TimelineEvent]:
    query = select(TimelineEvent).where(TimelineEvent.incident_id == incident_id,
                                        TimelineEvent.id > after_id)
    if kind:
        query = query.where(TimelineEvent.kind == kind)
    return list(session.scalars(query.order_by(TimelineEvent.id).limit(limit)))
