"""On-call gauges for /metrics: escalations by state, pending timers, and how
late the oldest due timer is (alert on it: escalations are stuck)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import func, select

from warroom import clock
from warroom.oncall.escalation.models import Escalation, Timer

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.orm import Session


def collect(session: Session) -> Iterator[Metric]:
    states = GaugeMetricFamily("warroom_oncall_escalations", "Escalations by state",
                               labels=["state"])
    for state, count in session.execute(select(Escalation.state, func.count())
                                        .group_by(Escalation.state)):
        states.add_metric([state], count)
    yield states
    pending = GaugeMetricFamily("warroom_oncall_timers_pending", "Pending escalation timers",
                                labels=["kind"])
    for kind, count in session.execute(select(Timer.kind, func.count())
                                       .where(Timer.status == "pending").group_by(Timer.kind)):
        pending.add_metric([kind], count)
    yield pending
    now = clock.now()
    oldest = session.scalar(select(func.min(Timer.due_at)).where(Timer.status == "pending",
                                                                Timer.due_at <= now))
    yield GaugeMetricFamily("warroom_oncall_timer_overdue_seconds",
                            "How long the oldest due escalation timer has waited",
                            value=(now - oldest).total_seconds() if oldest else 0.0)
