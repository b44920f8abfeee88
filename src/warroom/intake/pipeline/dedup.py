"""Deduplication: which alerts of a batch are the same alert, and what each
one is to what was stored before (new, a repeat, a re-fire, a resolution, an
acknowledgement).

If the same alert appears in two deliveries of one batch, the batch is split
into rounds (first appearances, then second ones...), handled in order, so a
repeat is counted as a repeat and nothing is stored twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from warroom.intake.models import Alert
from warroom.intake.sources.alert import IncomingAlert

if TYPE_CHECKING:
    from warroom.db import UnitOfWork
    from warroom.intake.pipeline.delivery import Delivery
    from warroom.intake.pipeline.placement import Pending


def rounds(deliveries: list[Delivery]) -> list[list[tuple[Delivery, IncomingAlert]]]:
    """The batch's alerts in rounds: each alert once per round, in the order
    its deliveries came (a delivery's own repeats count once, its last copy)."""
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


def complete_references(uow: UnitOfWork, round_: list[tuple[Delivery, IncomingAlert]]
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
            alert = stored_alert(row, status=alert.status)
        completed.append((delivery, alert))
    return completed


def classify(pending: list[Pending], known: dict[str, Any]
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


def stored_alert(row: Alert, *, status: str | None = None) -> IncomingAlert:
    """A stored alert as if it had just arrived (again)."""
    return IncomingAlert(dedup_key=row.dedup_key, name=row.name, status=status or row.status,
                         labels=dict(row.labels or {}), annotations=dict(row.annotations or {}),
                         summary=row.summary, severity=row.severity, starts_at=row.starts_at,
                         ends_at=row.ends_at, generator_url=row.generator_url)
