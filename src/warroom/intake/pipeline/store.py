"""Alert rows, read and written in bulk with plain SQL statements.

Every delivery touches these rows, so they are built once at import (only
their parameters change) and run as one executemany per batch, without ORM
objects (:mod:`warroom.bulk`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, insert, select, update

from warroom import bulk
from warroom.intake.models import Alert

if TYPE_CHECKING:
    from datetime import datetime

    from warroom.db import UnitOfWork
    from warroom.intake.pipeline.placement import Pending
    from warroom.intake.sources.alert import IncomingAlert

_TABLE = Alert.__table__
_KNOWN = select(_TABLE.c.id, _TABLE.c.dedup_key, _TABLE.c.status, _TABLE.c.incident_id,
                _TABLE.c.held, _TABLE.c.silence_id, _TABLE.c.receive_count,
                _TABLE.c.fire_count, _TABLE.c.resolved_at, _TABLE.c.acknowledged_at,
                _TABLE.c.starts_at, _TABLE.c.labels) \
    .where(_TABLE.c.dedup_key.in_(bindparam("keys", expanding=True)))
_INSERT = insert(_TABLE)
_MUTABLE = ("status", "severity", "summary", "labels", "annotations", "generator_url", "rule",
            "incident_type", "group_id", "incident_id", "held", "silence_id", "starts_at",
            "ends_at", "last_seen_at", "resolved_at", "acknowledged_at", "receive_count",
            "fire_count")
_UPDATE = update(_TABLE).where(_TABLE.c.id == bindparam("alert_id")) \
    .values({name: bindparam(name) for name in _MUTABLE})


def known(uow: UnitOfWork, keys: list[str]) -> dict[str, Any]:
    """The stored state of these alerts (those that exist), by dedup key."""
    rows = uow.session.connection().execute(_KNOWN, {"keys": keys})
    return {row.dedup_key: row for row in rows}


def write(uow: UnitOfWork, pending: list[Pending]) -> None:
    """Insert the new alerts and update the known ones, one executemany each."""
    now = uow.now()
    new_rows, changed_rows = [], []
    for p in pending:
        if p.kind == "ignored":
            continue
        alert, stored = p.alert, p.stored
        values = {
            "status": alert.status if alert.status != "acknowledged" else stored.status,
            "severity": p.severity, "summary": alert.summary, "labels": _labels(p),
            "annotations": alert.annotations, "generator_url": alert.generator_url,
            "rule": p.rule.name, "incident_type": p.rule.rule.type, "group_id": p.group_id,
            "incident_id": p.incident_id, "held": p.held, "silence_id": p.silence_id,
            "ends_at": alert.ends_at, "last_seen_at": now,
        }
        if stored is None:
            new_rows.append({**values, **_first_seen(p, now)})
        else:
            changed_rows.append({"alert_id": stored.id, **values,
                                 **_changes(alert, stored, p.refire, now)})
    connection = uow.session.connection()
    bulk.execute_many(connection, _INSERT, new_rows)
    bulk.execute_many(connection, _UPDATE, changed_rows)


def _labels(p: Pending) -> dict[str, Any]:
    """A stored alert keeps its first labels (:mod:`warroom.intake.pipeline.amend`), also
    when a concurrent batch stored it after this one routed it."""
    stored = p.stored
    return p.alert.labels if stored is None or stored.labels is None else stored.labels


def _first_seen(p: Pending, now: datetime) -> dict[str, Any]:
    firing = p.alert.status == "firing"
    caller = p.delivery.integration if p.delivery is not None else None
    return {"dedup_key": p.alert.dedup_key,
            "source": p.delivery.source if p.delivery is not None else "unknown",
            "integration_id": caller.id if caller else None, "name": p.alert.name,
            "starts_at": p.alert.starts_at or now, "first_seen_at": now, "receive_count": 1,
            "fire_count": 1 if firing else 0, "acknowledged_at": None,
            "resolved_at": None if firing else now}


def _changes(alert: IncomingAlert, stored: Any, refire: bool, now: datetime) -> dict[str, Any]:
    resolved_at = stored.resolved_at
    if alert.status == "resolved" and stored.status == "firing":
        resolved_at = now
    elif refire:
        resolved_at = None
    acknowledged_at = stored.acknowledged_at
    if alert.status == "acknowledged" and acknowledged_at is None:
        acknowledged_at = now
    return {"receive_count": stored.receive_count + 1,
            "fire_count": stored.fire_count + (1 if refire else 0),
            "resolved_at": resolved_at, "acknowledged_at": acknowledged_at,
            "starts_at": (alert.starts_at or now) if refire else stored.starts_at}
