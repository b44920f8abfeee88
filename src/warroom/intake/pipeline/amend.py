"""What a sender may not change silently: an alert's labels once stored, and
a start time far from now.

A repeat of a known alert (same dedup key) keeps the labels it was first
stored with: routing, grouping and silences saw those, and a sender that
reuses a dedup key for something else must not move the alert under the
responders' feet. What the repeat said differently goes on the timeline.

A start time in the future, or older than ``WARROOM_ALERT_MAX_AGE_HOURS``,
is a sender's clock (or a placeholder), not the moment trouble began: the
alert and its incident count from when warroom first heard of it, and the
timeline keeps the time the sender wrote.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from warroom.incidents import timeline
from warroom.intake import settings as intake_settings
from warroom.intake.pipeline.placement import Pending, note

if TYPE_CHECKING:
    from warroom.db import UnitOfWork
    from warroom.intake.sources.alert import IncomingAlert


def keep_first_labels(uow: UnitOfWork, alert: IncomingAlert, stored: Any) -> IncomingAlert:
    """The alert with its stored labels; a difference is noted on its incident."""
    if stored is None or stored.labels is None or alert.labels == stored.labels:
        return alert
    first: dict[str, str] = dict(stored.labels)
    if stored.incident_id is not None:
        changes = _differences(first, alert.labels)
        note(uow, stored.incident_id,
             f"Alert {alert.dedup_key} was sent again with other labels, kept the "
             f"first ones: {changes}"[:1000],
             {"dedup_key": alert.dedup_key, "labels_sent": alert.labels,
              "labels_kept": first})
    return replace(alert, labels=first, name=first.get("alertname", alert.name))


def clamp_start(alert: IncomingAlert, now: datetime) -> datetime | None:
    """Pull a start time far from ``now`` to ``now``; returns what the sender
    wrote when it did (else None)."""
    sent = alert.starts_at
    oldest = now - timedelta(hours=intake_settings.get().alert_max_age_hours)
    if sent is None or oldest <= sent <= now:
        return None
    alert.starts_at = now
    return sent


def note_clamped(uow: UnitOfWork, clamped: list[tuple[Pending, datetime]]) -> None:
    """Say on each incident which alert's start time was not taken as sent."""
    events = [{"incident_id": p.incident_id, "kind": "alert",
               "summary": f"{p.alert.name} said it started at {_iso(sent)}, too far from now "
                          f"to believe; it counts from {_iso(p.alert.starts_at)}, when warroom "
                          "received it",
               "data": {"dedup_key": p.alert.dedup_key, "starts_at_sent": _iso(sent)}}
              for p, sent in clamped if p.incident_id is not None]
    if events:
        timeline.add_all(uow, events)


def _differences(first: dict[str, str], sent: dict[str, str]) -> str:
    names = sorted(set(first) | set(sent))
    return ", ".join(f"{n}: {first.get(n, '(none)')} -> {sent.get(n, '(none)')}"
                     for n in names if first.get(n) != sent.get(n))


def _iso(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment is not None else "?"
