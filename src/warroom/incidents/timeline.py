"""The incident timeline: what happened, who did it, when.

Every domain writes here through :func:`add` or :func:`add_all` (pages sent,
steps run, messages posted), so an incident reads as one story. Nothing
updates or deletes an event, and every event's hash is sealed into the audit
chain with the unit of work that wrote it (:mod:`warroom.incidents.integrity`),
so ``warroom audit verify`` catches one edited, deleted or added outside.

The unit of work owns the timeline as it owns audit: :func:`add` and
:func:`add_all` only queue an event in the unit, and the queue is written in
call order, with one multi-row INSERT, when the audit chain is sealed just
before commit. So no writer keeps events of its own to write "before anyone
else does", a unit that rolls back writes nothing, and a unit that writes
hundreds of events (an alert storm, a batch of escalations) sends one
statement. A read through :func:`get_all` in the same unit writes the queue
first, so it sees every event added so far; a reader that selects
``timeline_events`` some other way calls :func:`flush` first.
"""

from __future__ import annotations

import contextlib
import weakref
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, insert, select

from warroom.audit import service as audit
from warroom.incidents import integrity
from warroom.incidents.models import TimelineEvent

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork

_TABLE = TimelineEvent.__table__
_INSERT = insert(_TABLE).returning(_TABLE.c.id, sort_by_parameter_order=True)
_INSERT_SQLITE = insert(_TABLE).returning(_TABLE.c.id)
_QUEUED = "timeline.queued"
_NOTIFY = "timeline.notify"
_LISTENERS: list[weakref.WeakMethod[Callable[[], None]]] = []
_UNIT = "warroom.timeline.unit"
"""Where a session with queued events keeps its unit (see :func:`get_all`)."""
KINDS = ("declared", "alert", "phase", "severity", "role", "note", "update", "ack", "page",
         "escalation", "delivery", "step", "comms", "evidence", "milestone", "link",
         "sla", "statuspage", "gate", "reminder", "system", "drill")


def add(uow: UnitOfWork, *, incident_id: int, kind: str, summary: str,
        data: dict[str, Any] | None = None, actor: str | None = None) -> None:
    """Queue one event; it gets its id when the unit writes its timeline."""
    _queue(uow).append({"incident_id": incident_id, "at": uow.now(), "kind": kind,
                        "actor": actor or uow.actor.label, "summary": summary, "data": data})


def add_all(uow: UnitOfWork, events: list[dict[str, Any]]) -> None:
    """Queue several events (each with ``incident_id``, ``kind``, ``summary``
    and ``data``) at once, for writers that record many per transaction."""
    if not events:
        return
    at, actor = uow.now(), uow.actor.label
    _queue(uow).extend({"at": at, "actor": actor, **event} for event in events)


def flush(uow: UnitOfWork) -> None:
    """Write the queued events now, in the order they were added, with one
    INSERT that returns their ids, so they are covered without being read
    back. What the session holds is written first: the incidents they name."""
    queued: list[dict[str, Any]] = uow.memo(_QUEUED, [])
    if not queued:
        return
    uow.session.flush()
    ids = _insert(uow, queued)
    integrity.cover_events(uow, [[event_id, integrity.event_hash(event_id, row)]
                                 for event_id, row in zip(ids, queued, strict=True)])
    queued.clear()
    uow.session.info.pop(_UNIT, None)
    notify: list[bool] = uow.memo(_NOTIFY, [])
    if not notify:
        notify.append(True)
        uow.after_commit(_committed)


def on_committed(listener: Callable[[], None]) -> None:
    """Call the bound method ``listener`` after every unit of work of this
    process that wrote timeline events commits (from the committing thread),
    while its object lives: the console's live feed then reads them at once
    instead of at its next poll, whichever route (API, intake, timers) wrote."""
    _LISTENERS.append(weakref.WeakMethod(listener))


def _committed() -> None:
    for reference in list(_LISTENERS):
        listener = reference()
        if listener is None:
            _LISTENERS.remove(reference)
            continue
        with contextlib.suppress(Exception):  # a listener must not fail the write
            listener()


def _insert(uow: UnitOfWork, rows: list[dict[str, Any]]) -> list[int]:
    """The rows' new ids, in the rows' order. Asked for that order, SQLAlchemy
    sends SQLite one statement per row; but a SQLite unit is the only writer,
    and a multi-row INSERT numbers its rows in VALUES order, so there the
    ascending ids are that order and one statement carries them all."""
    connection = uow.session.connection()
    if uow.is_sqlite:
        return sorted(connection.execute(_INSERT_SQLITE, rows).scalars())
    return list(connection.execute(_INSERT, rows).scalars())


def _queue(uow: UnitOfWork) -> list[dict[str, Any]]:
    """The unit's queue; an empty one (the first event, or the first since a
    flush) asks to be written at the seal and to be found from the session."""
    queued: list[dict[str, Any]] = uow.memo(_QUEUED, [])
    if not queued:
        audit.before_seal(uow, _QUEUED, flush)
        uow.session.info[_UNIT] = uow
    return queued


def get_all(session: Session, *, incident_id: int, kind: str | None = None,
            limit: int = 1000, after_id: int = 0) -> list[TimelineEvent]:
    unit: UnitOfWork | None = session.info.get(_UNIT)
    if unit is not None:
        flush(unit)
    query = select(TimelineEvent).where(TimelineEvent.incident_id == incident_id,
                                        TimelineEvent.id > after_id)
    if kind:
        query = query.where(TimelineEvent.kind == kind)
    return list(session.scalars(query.order_by(TimelineEvent.id).limit(limit)))


def page(session: Session, *, incident_id: int, kind: str | None = None,
         newest_first: bool = True, beyond: int = 0, limit: int = 200
         ) -> list[TimelineEvent]:
    """Up to ``limit`` of an incident's events in the order shown: newest
    first from below id ``beyond`` (0: from the newest), or oldest first from
    above it. A screen shows a page, not every event of a busy incident."""
    unit: UnitOfWork | None = session.info.get(_UNIT)
    if unit is not None:
        flush(unit)
    query = select(TimelineEvent).where(TimelineEvent.incident_id == incident_id)
    if kind:
        query = query.where(TimelineEvent.kind == kind)
    if newest_first:
        if beyond:
            query = query.where(TimelineEvent.id < beyond)
        query = query.order_by(TimelineEvent.id.desc())
    else:
        query = query.where(TimelineEvent.id > beyond).order_by(TimelineEvent.id)
    return list(session.scalars(query.limit(limit)))


def latest_id(session: Session) -> int:
    """The id of the newest event anywhere (0 when there is none): where a
    live feed starts following."""
    return session.scalar(select(func.max(TimelineEvent.id))) or 0


def since(session: Session, *, after: int, incident_id: int | None = None,
          limit: int = 500) -> list[tuple[int, int, str, str]]:
    """Events with an id above ``after`` (id, incident id, kind, summary), in
    id order: ids only grow, so a follower that remembers the last one it saw
    misses nothing and sees nothing twice."""
    query = select(TimelineEvent.id, TimelineEvent.incident_id, TimelineEvent.kind,
                   TimelineEvent.summary).where(TimelineEvent.id > after)
    if incident_id is not None:
        query = query.where(TimelineEvent.incident_id == incident_id)
    rows = session.execute(query.order_by(TimelineEvent.id).limit(limit)).all()
    return [(row[0], row[1], row[2], row[3]) for row in rows]
