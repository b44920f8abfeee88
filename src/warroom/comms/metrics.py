"""Comms gauges for /metrics: open incidents whose status update is overdue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import func, select

from warroom import clock
from warroom.comms.models import UpdateCadence

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.orm import Session


def collect(session: Session) -> Iterator[Metric]:
    overdue = session.scalar(select(func.count()).select_from(UpdateCadence).where(
        UpdateCadence.next_due_at <= clock.now())) or 0
    yield GaugeMetricFamily("warroom_comms_updates_overdue",
                            "Open incidents whose next status update is overdue", value=overdue)
