"""Receive alerts: dedup, route, group, open or attach incidents, record.

:func:`receive_all` takes several deliveries (webhook requests) at once and
handles them with a handful of set-based statements: one read of the intake
switches, one select (plus, for new groups, an insert) of the groups, one
select of the already-known alerts, one executemany insert and one executemany
update of alerts, and one audit entry per sender (summing its deliveries).
Incidents are opened and attached through the incident service, so their
timelines, audit entries and hooks (paging, playbooks) join the transaction.

Writing the alert rows themselves is :mod:`warroom.intake.pipeline.store`.

If the same alert appears in two deliveries of one batch, the batch is split
into rounds (first appearances, then second ones...), handled in order, so a
repeat is counted as a repeat and nothing is stored twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from warroom.audit import service as audit
from warroom.db import UnitOfWork
from warroom.errors import Invalid, NotFound, one_of
from warroom.incidents.catalog import SECURITY_TYPES
from warroom.intake import settings as intake_settings
from warroom.intake import silences, switches
from warroom.intake.integrations import Caller
from warroom.intake.models import Alert, AlertGroup
from warroom.intake.pipeline import amend, groups, resolution, store
from warroom.intake.pipeline.placement import Context, Pending, place
from warroom.intake.rules import rulebook
from warroom.intake.rules.rulebook import RuleSet
from warroom.intake.sources.alert import IncomingAlert

STATUSES = ("firing", "resolved")
HOLDS = ("silenced", "paused", "flapping")
@dataclass
class Report:
    """What one delivery did."""

    received: int = 0
    new: int = 0
    repeated: int = 0
    resolved: int = 0
    refired: int = 0
    held: int = 0
    opened: list[str] = field(default_factory=list)
    attached: list[str] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {"received": self.received, "new": self.new, "repeated": self.repeated,
                "resolved": self.resolved, "refired": self.refired, "held": self.held,
                "incidents_opened": self.opened, "incidents_attached": self.attached}


@dataclass
class Delivery:
    """One request's alerts, from one sender."""

    alerts: list[IncomingAlert]
    source: str
    integration: Caller | None = None
    report: Report = field(default_factory=Report)


@dataclass
class Filters:
    status: str | None = None
    name: str | None = None
    incident: int | None = None
    held: str | None = None
    source: str | None = None
    security_only: bool = False


def receive(uow: UnitOfWork, *, alerts: list[IncomingAlert], source: str,
            integration: Caller | None = None) -> Report:
    """Store one delivery of alerts and turn the firing ones into incidents."""
    return receive_all(uow, deliveries=[Delivery(alerts, source, integration)])[0]


def receive_all(uow: UnitOfWork, *, deliveries: list[Delivery]) -> list[Report]:
    """Store several deliveries in this unit of work (see the module docstring)."""
    state = switches.read(uow.session)
    rules = rulebook.current(uow.session, generation=state.rules_generation)
    context = _context(uow, state)
    for round_ in _rounds(deliveries):
        _receive_round(uow, round_, rules, context)
    for delivery in deliveries:
        delivery.report.received = len(delivery.alerts)
    _audit(uow, deliveries)
    return [delivery.report for delivery in deliveries]


def re_evaluate(uow: UnitOfWork, *, held: str, silence_ids: list[int] | None = None
                ) -> list[Pending]:
    """Place firing alerts that were held (monitoring paused, or a silence that
    has ended) as if they had just arrived."""
    query = select(Alert).where(Alert.status == "firing", Alert.held == held)
    if silence_ids is not None:
        query = query.where(Alert.silence_id.in_(silence_ids))
    rows = list(uow.session.scalars(query.order_by(Alert.id)))
    if not rows:
        return []
    state = switches.read(uow.session)
    rules = rulebook.current(uow.session, generation=state.rules_generation)
    pending = []
    for row in rows:
        p = _route(_incoming(row), rules)
        p.stored, p.kind, p.incident_id = row, "held", row.incident_id
        pending.append(p)
    context = _context(uow, state)
    _lock_groups(uow, pending, context)
    place(uow, pending, context)
    groups.save(uow, context.groups)
    for p, row in zip(pending, rows, strict=True):
        row.incident_id, row.held, row.silence_id = p.incident_id, p.held, p.silence_id
        row.group_id = p.group_id
    return pending


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


def _receive_round(uow: UnitOfWork, round_: list[tuple[Delivery, IncomingAlert]],
                   rules: RuleSet, context: Context) -> None:
    round_ = _complete_references(uow, round_)
    # routing needs the stored labels; the classification below reads again
    # once the groups are locked, so it sees what a concurrent batch committed
    known = store.known(uow, [alert.dedup_key for _, alert in round_])
    pending, clamped = [], []
    for delivery, alert in round_:
        stored = known.get(alert.dedup_key)
        p = _route(amend.keep_first_labels(alert, stored, context), rules)
        p.delivery = delivery
        pending.append(p)
        sent = amend.clamp_start(p.alert, context.now) if stored is None or \
            stored.status == "resolved" else None
        if sent is not None:
            clamped.append((p, sent))
    _lock_groups(uow, pending, context)
    known = store.known(uow, [p.alert.dedup_key for p in pending])
    to_place, resolved, acknowledged = _classify(pending, known)
    place(uow, to_place, context)
    amend.note_clamped(uow, clamped)
    groups.save(uow, context.groups)
    store.write(uow, pending)
    resolution.settle(uow, resolved, acknowledged)
    for p in pending:
        _report(p)


def _audit(uow: UnitOfWork, deliveries: list[Delivery]) -> None:
    """One audit entry per sender and format in this unit of work (usually one
    per transaction), summing what its deliveries did."""
    senders: dict[tuple[str, Caller | None], list[Delivery]] = {}
    for delivery in deliveries:
        senders.setdefault((delivery.source, delivery.integration), []).append(delivery)
    for (source, caller), batch in senders.items():
        summary: dict[str, Any] = {"source": source, "deliveries": len(batch)}
        for report in (d.report for d in batch):
            for name, value in report.summary().items():
                if isinstance(value, list):
                    summary[name] = sorted({*summary.get(name, []), *value},
                                           key=lambda ref: int(ref[4:]))
                else:
                    summary[name] = summary.get(name, 0) + value
        audit.record(uow, action="alerts.receive",
                     target=f"integration:{caller.name}" if caller else f"alerts:{source}",
                     after=summary)


def _rounds(deliveries: list[Delivery]) -> list[list[tuple[Delivery, IncomingAlert]]]:
    rounds: list[list[tuple[Delivery, IncomingAlert]]] = []
    seen: dict[str, int] = {}
    for delivery in deliveries:
        latest = {alert.dedup_key: alert for alert in delivery.alerts if alert.dedup_key}
        for key, alert in latest.items():
            index = seen.get(key, 0)
            seen[key] = index + 1
            if index == len(rounds):
                rounds.append([])
            rounds[index].append((delivery, alert))
    return rounds


def _lock_groups(uow: UnitOfWork, pending: list[Pending], context: Context) -> None:
    wanted: dict[str, groups.Wanted] = {}
    for p in pending:
        if p.group_key not in wanted:
            wanted[p.group_key] = groups.Wanted(p.group_key, p.rule.name,
                                                p.rule.group_labels(p.alert.labels))
    context.groups = groups.lock(uow, wanted)
    for p in pending:
        p.group_id = context.groups[p.group_key].id


def _route(alert: IncomingAlert, rules: RuleSet) -> Pending:
    rule = rules.route(alert.labels)
    return Pending(alert=alert, rule=rule, group_key=rule.group_key(alert.labels),
                   severity=rule.severity_for(alert.severity))


def _context(uow: UnitOfWork, state: switches.Switches) -> Context:
    settings = intake_settings.get()
    now = uow.now()
    return Context(now=now, monitoring_enabled=state.monitoring_enabled,
                   silences=silences.current(uow.session, generation=state.silences_generation,
                                             now=now),
                   flap_window=timedelta(minutes=settings.alert_flap_window_minutes),
                   flap_threshold=settings.alert_flap_threshold)


def _classify(pending: list[Pending], known: dict[str, Any]
              ) -> tuple[list[Pending], list[Pending], list[Pending]]:
    """Split the round: alerts to place, alerts that just resolved, acknowledgements."""
    to_place, resolved, acknowledged = [], [], []
    for p in pending:
        stored = p.stored = known.get(p.alert.dedup_key)
        status = p.alert.status
        if stored is not None:
            p.incident_id, p.held, p.silence_id = stored.incident_id, stored.held, \
                stored.silence_id
        if status == "acknowledged":
            p.kind = "ack" if stored is not None else "ignored"
            if stored is not None:
                acknowledged.append(p)
        elif stored is None:
            p.kind = "new"
            if status == "firing":
                to_place.append(p)
        elif stored.status == "firing" and status == "resolved":
            p.kind = "resolved"
            resolved.append(p)
        elif stored.status == "resolved" and status == "firing":
            p.kind = "refire"
            to_place.append(p)
        else:
            p.kind = "repeat"
            if status == "firing" and stored.incident_id is None and stored.held != "flapping":
                to_place.append(p)
    return to_place, resolved, acknowledged


def _report(p: Pending) -> None:
    report: Report = p.delivery.report
    if p.kind == "new":
        report.new += 1
    elif p.kind == "repeat":
        report.repeated += 1
    elif p.kind == "resolved":
        report.resolved += 1
    elif p.kind == "refire":
        report.refired += 1
    if p.placed and p.held is not None:
        report.held += 1
    ref = f"INC-{p.incident_id}" if p.incident_id else None
    if ref and p.opened and ref not in report.opened:
        report.opened.append(ref)
    elif ref and p.placed and not p.opened and p.held is None and ref not in report.attached:
        report.attached.append(ref)
    report.alerts.append({"dedup_key": p.alert.dedup_key, "status": p.alert.status,
                          "incident": ref, "held": p.held, "rule": p.rule.name})


def _complete_references(uow: UnitOfWork, round_: list[tuple[Delivery, IncomingAlert]]
                         ) -> list[tuple[Delivery, IncomingAlert]]:
    """Fill acknowledge/resolve events that only name a stored alert from the
    store; drop those that name nothing stored (there is nothing to change)."""
    references = [alert.dedup_key for _, alert in round_ if alert.reference_only]
    if not references:
        return round_
    stored = {row.dedup_key: row for row in uow.session.scalars(
        select(Alert).where(Alert.dedup_key.in_(references)))}
    completed = []
    for delivery, alert in round_:
        if alert.reference_only:
            row = stored.get(alert.dedup_key)
            if row is None:
                continue
            alert = _incoming(row, status=alert.status)
        completed.append((delivery, alert))
    return completed


def _incoming(row: Alert, *, status: str | None = None) -> IncomingAlert:
    return IncomingAlert(dedup_key=row.dedup_key, name=row.name, status=status or row.status,
                         labels=dict(row.labels or {}), annotations=dict(row.annotations or {}),
                         summary=row.summary, severity=row.severity, starts_at=row.starts_at,
                         ends_at=row.ends_at, generator_url=row.generator_url)
