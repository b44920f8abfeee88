"""The incident timeline: what happened, who did it, when.

Every domain writes here through :func:`add` (pages sent, steps run, messages
posted), so an incident reads as one story.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from warroom.db import UnitOfWork
from warroom.incidents.models import TimelineEvent

_INSERT = insert(TimelineEvent.__table__)
KINDS = ("declared", "alert", "phase", "severity", "role", "note", "update", "ack", "page",
         "escalation", "delivery", "step", "comms", "evidence", "milestone", "link",
         "sla", "statuspage", "gate", "reminder", "system")


def add(uow: UnitOfWork, *, incident_id: int, kind: str, summary: str,
        data: dict[str, Any] | None = None, actor: str | None = None) -> TimelineEvent:
    event = TimelineEvent(incident_id=incident_id, at=uow.now(), kind=kind,
                          actor=actor or uow.actor.label, summary=summary, data=data)
    uow.session.add(event)
    return event


def add_all(uow: UnitOfWork, events: list[dict[str, Any]]) -> None:
    """Write several events (each with ``incident_id``, ``kind``, ``summary`` and
    ``data``) in one plain-SQL statement, for writers that record many per
    transaction (alert intake). What the session holds is written first, so
    events keep the order in which they were added."""
    if not events:
        return
    at, actor = uow.now(), uow.actor.label
    uow.session.flush()
    uow.session.connection().execute(_INSERT, [{"at": at, "actor": actor, **event}
                                              for event in events])


def get_all(session: Session, *, incident_id: int, kind: str | None = None,
            limit: int = 1000, after_id: int = 0) -> list[TimelineEvent]:
    query = select(TimelineEvent).where(TimelineEvent.incident_id == incident_id,
                                        TimelineEvent.id > after_id)
    if kind:
        query = query.where(TimelineEvent.kind == kind)
    return list(session.scalars(query.order_by(TimelineEvent.id).limit(limit)))
