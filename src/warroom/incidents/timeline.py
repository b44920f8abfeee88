"""The incident timeline: what happened, who did it, when.

Every domain writes here through :func:`add` or :func:`add_all` (pages sent,
steps run, messages posted), so an incident reads as one story. Nothing
updates or deletes an event, and every event's hash is sealed into the audit
chain with the unit of work that wrote it (:mod:`warroom.incidents.integrity`),
so ``warroom audit verify`` catches one edited, deleted or added outside.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from warroom.audit import service as audit
from warroom.db import UnitOfWork
from warroom.incidents import integrity
from warroom.incidents.models import TimelineEvent

_TABLE = TimelineEvent.__table__
_INSERT = insert(_TABLE).returning(_TABLE.c.id, sort_by_parameter_order=True)
_ADDED = "timeline.added"
KINDS = ("declared", "alert", "phase", "severity", "role", "note", "update", "ack", "page",
         "escalation", "delivery", "step", "comms", "evidence", "milestone", "link",
         "sla", "statuspage", "gate", "reminder", "system")


def add(uow: UnitOfWork, *, incident_id: int, kind: str, summary: str,
        data: dict[str, Any] | None = None, actor: str | None = None) -> TimelineEvent:
    event = TimelineEvent(incident_id=incident_id, at=uow.now(), kind=kind,
                          actor=actor or uow.actor.label, summary=summary, data=data)
    uow.session.add(event)
    added: list[TimelineEvent] = uow.memo(_ADDED, [])
    added.append(event)
    audit.before_seal(uow, _ADDED, _cover_added)
    return event


def add_all(uow: UnitOfWork, events: list[dict[str, Any]]) -> None:
    """Write several events (each with ``incident_id``, ``kind``, ``summary`` and
    ``data``) in one plain-SQL statement, for writers that record many per
    transaction (alert intake). What the session holds is written first, so
    events keep the order in which they were added. The statement returns the
    new ids, so the events are covered without reading them back."""
    if not events:
        return
    at, actor = uow.now(), uow.actor.label
    rows = [{"at": at, "actor": actor, **event} for event in events]
    uow.session.flush()
    ids = uow.session.connection().execute(_INSERT, rows).scalars().all()
    integrity.cover_events(uow, [[event_id, integrity.event_hash(event_id, row)]
                                 for event_id, row in zip(ids, rows, strict=True)])


def _cover_added(uow: UnitOfWork) -> None:
    """Hash the events :func:`add` wrote, once they have ids."""
    added: list[TimelineEvent] = uow.memo(_ADDED, [])
    if not added:
        return
    uow.session.flush()
    integrity.cover_events(uow, [[event.id, integrity.event_hash(event.id, _fields(event))]
                                 for event in added])
    added.clear()


def _fields(event: TimelineEvent) -> dict[str, Any]:
    return {"incident_id": event.incident_id, "at": event.at, "kind": event.kind,
            "actor": event.actor, "summary": event.summary, "data": event.data}


def get_all(session: Session, *, incident_id: int, kind: str | None = None,
            limit: int = 1000, after_id: int = 0) -> list[TimelineEvent]:
    query = select(TimelineEvent).where(TimelineEvent.incident_id == incident_id,
                                        TimelineEvent.id > after_id)
    if kind:
        query = query.where(TimelineEvent.kind == kind)
    return list(session.scalars(query.order_by(TimelineEvent.id).limit(limit)))
