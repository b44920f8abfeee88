"""Receive deliveries: dedup, route, group, open or attach incidents, record.

:func:`receive_all` takes several deliveries (webhook requests) at once and
handles them with a handful of set-based statements: one read of the intake
switches, one select (plus, for new groups, an insert) of the groups, one
select of the already-known alerts, one executemany insert and one executemany
update of alerts, and one audit entry per sender (summing its deliveries).
Incidents are opened and attached through the incident service, so their
timelines, audit entries and hooks (paging, playbooks) join the transaction.

The steps are the modules beside this one: :mod:`~warroom.intake.pipeline.dedup`
(rounds, and what each alert is to what was stored), routing (the rulebook),
:mod:`~warroom.intake.pipeline.groups`, :mod:`~warroom.intake.pipeline.placement`,
:mod:`~warroom.intake.pipeline.store` (the alert rows) and
:mod:`~warroom.intake.pipeline.resolution`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from warroom.audit import service as audit
from warroom.intake import settings as intake_settings
from warroom.intake import silences, switches
from warroom.intake.hooks import RESERVED_LABELS
from warroom.intake.models import Alert
from warroom.intake.pipeline import amend, dedup, groups, resolution, store
from warroom.intake.pipeline.placement import Context, Pending, place
from warroom.intake.rules import rulebook

if TYPE_CHECKING:
    from warroom.db import UnitOfWork
    from warroom.intake.integrations import Caller
    from warroom.intake.pipeline.delivery import Delivery, Report
    from warroom.intake.rules.rulebook import RuleSet
    from warroom.intake.sources.alert import IncomingAlert


def receive_all(uow: UnitOfWork, *, deliveries: list[Delivery]) -> list[Report]:
    """Store several deliveries in this unit of work (see the module docstring)."""
    state = switches.read(uow.session)
    rules = rulebook.current(uow.session, generation=state.rules_generation)
    context = _context(uow, state)
    for delivery in deliveries:
        if not delivery.internal:
            _drop_reserved_labels(delivery)
    for round_ in dedup.rounds(deliveries):
        _receive_round(uow, round_, rules, context)
    for delivery in deliveries:
        delivery.report.received = len(delivery.alerts)
    _audit(uow, deliveries)
    return [delivery.report for delivery in deliveries]


def _drop_reserved_labels(delivery: Delivery) -> None:
    for alert in delivery.alerts:
        if not RESERVED_LABELS.isdisjoint(alert.labels):
            alert.labels = {name: value for name, value in alert.labels.items()
                            if name not in RESERVED_LABELS}


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
        p = _route(dedup.stored_alert(row), rules)
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


def _receive_round(uow: UnitOfWork, round_: list[tuple[Delivery, IncomingAlert]],
                   rules: RuleSet, context: Context) -> None:
    round_ = dedup.complete_references(uow, round_)
    # routing needs the stored labels; the classification below reads again
    # once the groups are locked, so it sees what a concurrent batch committed
    known = store.known(uow, [alert.dedup_key for _, alert in round_])
    pending, clamped = [], []
    for delivery, alert in round_:
        stored = known.get(alert.dedup_key)
        p = _route(amend.keep_first_labels(uow, alert, stored), rules)
        p.delivery = delivery
        pending.append(p)
        sent = amend.clamp_start(p.alert, context.now) if stored is None or \
            stored.status == "resolved" else None
        if sent is not None:
            clamped.append((p, sent))
    _lock_groups(uow, pending, context)
    known = store.known(uow, [p.alert.dedup_key for p in pending])
    to_place, resolved, acknowledged = dedup.classify(pending, known)
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
