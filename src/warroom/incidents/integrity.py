"""Tie timeline events and incident rows to the audit chain.

Every timeline event's hash, and a digest of every incident row a unit of
work changed, are sealed into that unit's last audit entry (see
:func:`warroom.audit.service.cover`). ``warroom audit verify`` then recomputes
them from the tables: an event edited, deleted or added outside warroom, or an
incident row whose fields were changed outside the service, is named.

Rows written before the chain covered them (an install that upgraded) are not
checked: events with ids below the first covered one, incidents with ids below
the first one declared under coverage.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import Row, Table, bindparam, func, select

from warroom.audit import chain
from warroom.audit import service as audit
from warroom.audit.verify import Coverage, Finding
from warroom.incidents.models import Incident, TimelineEvent

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork

EVENTS, INCIDENTS, DECLARED = "events", "incidents", "declared"
_EVENTS: Table = TimelineEvent.__table__
_INCIDENTS: Table = Incident.__table__
_INCIDENT_COLUMNS = [column.name for column in _INCIDENTS.columns]
_CHANGED = "incidents.changed"
_ROWS = select(_INCIDENTS).where(_INCIDENTS.c.id.in_(bindparam("ids", expanding=True)))


def event_hash(event_id: int, fields: Any) -> str:
    """The hash of one event: its id and every column, data as stored (JSON)."""
    data = fields.get("data")
    if data is not None:
        data = orjson.loads(orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS))
    return chain.digest({"id": event_id, "incident_id": fields["incident_id"],
                         "at": chain.timestamp(fields["at"]), "kind": fields["kind"],
                         "actor": fields["actor"], "summary": fields["summary"],
                         "data": data})


def cover_events(uow: UnitOfWork, hashes: list[list[Any]]) -> None:
    audit.cover(uow, EVENTS, hashes)


def changed(uow: UnitOfWork, incident_id: int, *, declared: bool = False) -> None:
    """This unit of work changed the incident's row: seal its final state."""
    marked: dict[int, bool] = uow.memo(_CHANGED, {})
    marked[incident_id] = marked.get(incident_id, False) or declared
    audit.before_seal(uow, _CHANGED, _cover_incidents)


def incident_digest(row: Any) -> str:
    return chain.digest({name: _plain(row[name]) for name in _INCIDENT_COLUMNS})


def _cover_incidents(uow: UnitOfWork) -> None:
    """Read the rows back (locked on PostgreSQL, so no other transaction changes
    them between this read and commit) and cover their digests."""
    marked: dict[int, bool] = uow.memo(_CHANGED, {})
    if not marked:
        return
    uow.session.flush()
    query = _ROWS if uow.is_sqlite else _ROWS.with_for_update()
    rows = uow.session.connection().execute(query, {"ids": sorted(marked)}).mappings()
    audit.cover(uow, INCIDENTS, [[row["id"], incident_digest(row)] for row in rows])
    audit.cover(uow, DECLARED, [[key, True] for key, new in sorted(marked.items()) if new])
    marked.clear()


def check_timeline(session: Session, coverage: Coverage) -> list[Finding]:
    """Every event against its hash in the chain."""
    expected = dict(coverage.section(EVENTS))
    first = min(expected, default=None)
    findings: list[Finding] = []
    for row in _rows(session, _EVENTS):
        subject = f"timeline event {row.id} (INC-{row.incident_id})"
        sealed = expected.pop(row.id, None)
        if sealed is None:
            if first is not None and row.id > first:
                findings.append(Finding(subject, "is not in the audit chain: it was added "
                                        "outside warroom, or the entry that covered it was "
                                        "deleted"))
        elif sealed != event_hash(row.id, row._mapping):
            findings.append(Finding(subject, "was edited after it was written"))
    findings += [Finding(f"timeline event {event_id}", "was deleted")
                 for event_id in sorted(expected)]
    return findings + _wiped(session, coverage, _EVENTS, "timeline events")


def check_incidents(session: Session, coverage: Coverage) -> list[Finding]:
    """Every incident row against the digest of its last audited state."""
    expected = dict(coverage.section(INCIDENTS))
    first = min(coverage.section(DECLARED), default=None)
    findings: list[Finding] = []
    for row in _rows(session, _INCIDENTS):
        subject = f"incident INC-{row.id}"
        sealed = expected.pop(row.id, None)
        if sealed is None:
            if first is not None and row.id >= first:
                findings.append(Finding(subject, "is not in the audit chain: it was added "
                                        "outside warroom"))
        elif sealed != incident_digest(row._mapping):
            findings.append(Finding(subject, "its row was changed outside warroom (it "
                                    "differs from its last audited state)"))
    findings += [Finding(f"incident INC-{incident_id}", "was deleted")
                 for incident_id in sorted(expected)]
    return findings + _wiped(session, coverage, _INCIDENTS, "incidents")


def _wiped(session: Session, coverage: Coverage, table: Table, noun: str) -> list[Finding]:
    """An empty chain beside rows that every write audits: the chain was wiped."""
    if coverage.entries:
        return []
    count = session.scalar(select(func.count()).select_from(table)) or 0
    if not count:
        return []
    return [Finding("audit chain", f"is empty but {count} {noun} exist: the audit tables "
                    "were wiped")]


def _rows(session: Session, table: Table, batch: int = 5000) -> Iterator[Row[Any]]:
    last_id = 0
    while True:
        rows = list(session.execute(select(table).where(table.c.id > last_id)
                                    .order_by(table.c.id).limit(batch)))
        yield from rows
        if len(rows) < batch:
            return
        last_id = rows[-1].id


def _plain(value: Any) -> Any:
    return chain.timestamp(value) if isinstance(value, datetime) else value
