"""Intake's surface for the API, the CLI and the worker: receive one
delivery, pause and resume monitoring, expire silences, and read the stored
alerts and groups. Receiving itself is :mod:`warroom.intake.pipeline`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from warroom.audit import service as audit
from warroom.errors import Invalid, NotFound, one_of
from warroom.incidents.catalog import SECURITY_TYPES
from warroom.intake import settings as intake_settings
from warroom.intake import silences, switches
from warroom.intake.models import Alert, AlertGroup
from warroom.intake.pipeline.delivery import Delivery, Report
from warroom.intake.pipeline.receive import re_evaluate, receive_all

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork
    from warroom.intake.integrations import Caller
    from warroom.intake.pipeline.placement import Pending
    from warroom.intake.sources.alert import IncomingAlert

STATUSES = ("firing", "resolved")
HOLDS = ("silenced", "paused", "flapping")


@dataclass
class Filters:
    status: str | None = None
    name: str | None = None
    incident: int | None = None
    held: str | None = None
    source: str | None = None
    security_only: bool = False


def receive(uow: UnitOfWork, *, alerts: list[IncomingAlert], source: str,
            integration: Caller | None = None, internal: bool = False) -> Report:
    """Store one delivery of alerts and turn the firing ones into incidents.
    ``internal`` marks alerts warroom made itself (a drill's injects), the only
    ones whose reserved labels are kept."""
    return receive_all(uow, deliveries=[Delivery(alerts, source, integration,
                                                 internal=internal)])[0]


def set_monitoring(uow: UnitOfWork, *, enabled: bool, reason: str | None = None
                   ) -> list[Pending]:
    """Pause or resume incident creation from alerts. Alerts are stored either
    way; resuming places every alert that is still firing and was held."""
    before = switches.read(uow.session).monitoring_enabled
    switches.set_monitoring(uow, enabled=enabled)
    audit.record(uow, action="monitoring.enable" if enabled else "monitoring.disable",
                 target="intake:monitoring", before={"enabled": before},
                 after={"enabled": enabled, "reason": reason})
    if enabled and not before:
        return re_evaluate(uow, held="paused")
    return []


def expire_silence(uow: UnitOfWork, *, silence_id: int) -> list[Pending]:
    """End a silence now and place the still-firing alerts it was holding."""
    silences.expire(uow, silence_id=silence_id)
    return lift_ended_silences(uow)


def lift_ended_silences(uow: UnitOfWork) -> list[Pending]:
    """Place the alerts held by silences that have ended (every ended silence
    at once), and mark those silences as dealt with."""
    ended = silences.ended_unlifted(uow.session, now=uow.now())
    if not ended:
        return []
    placed = re_evaluate(uow, held="silenced", silence_ids=[s.id for s in ended])
    for silence in ended:
        silence.lifted_at = uow.now()
    return placed


def opened_by(pending: list[Pending]) -> list[str]:
    return sorted({f"INC-{p.incident_id}" for p in pending if p.opened},
                  key=lambda ref: int(ref[4:]))


def get(session: Session, *, alert_id: int) -> Alert | None:
    return session.get(Alert, alert_id)


def get_or_raise(session: Session, *, alert_id: int) -> Alert:
    alert = get(session, alert_id=alert_id)
    if alert is None:
        raise NotFound(f"There is no alert {alert_id}.")
    return alert


def get_all(session: Session, *, filters: Filters, limit: int = 50,
            offset: int = 0) -> tuple[list[Alert], int]:
    query = select(Alert)
    if filters.status is not None:
        if filters.status not in STATUSES:
            raise Invalid(one_of(filters.status, STATUSES, "alert status"))
        query = query.where(Alert.status == filters.status)
    if filters.held is not None:
        if filters.held not in HOLDS:
            raise Invalid(one_of(filters.held, HOLDS, "hold"))
        query = query.where(Alert.held == filters.held)
    if filters.name:
        query = query.where(Alert.name == filters.name)
    if filters.incident is not None:
        query = query.where(Alert.incident_id == filters.incident)
    if filters.source:
        query = query.where(Alert.source == filters.source)
    if filters.security_only:
        query = query.where(Alert.incident_type.in_(sorted(t.value for t in SECURITY_TYPES)))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Alert.id.desc()).limit(limit).offset(offset))
    return list(rows), total


def get_groups(session: Session, *, limit: int = 50, offset: int = 0) -> list[AlertGroup]:
    return list(session.scalars(select(AlertGroup).order_by(AlertGroup.updated_at.desc(),
                                                            AlertGroup.id.desc())
                                .limit(limit).offset(offset)))


def refires_in_window(group: AlertGroup, *, now: datetime) -> int:
    window = timedelta(minutes=intake_settings.get().alert_flap_window_minutes)
    return sum(1 for moment in group.refires or []
               if datetime.fromisoformat(moment) > now - window)


def counts(session: Session) -> dict[tuple[str, str], int]:
    """(status, hold) -> number of alerts, for /metrics."""
    rows = session.execute(select(Alert.status, Alert.held, func.count())
                           .group_by(Alert.status, Alert.held))
    return {(status, held or "none"): n for status, held, n in rows}
