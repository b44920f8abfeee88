"""Outbox gauges for /metrics: messages by status."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client.core import GaugeMetricFamily, Metric

from warroom.notify import service as outbox

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.orm import Session


def collect(session: Session) -> Iterator[Metric]:
    messages = GaugeMetricFamily("warroom_outbox_messages", "Outbox messages by status",
                                 labels=["status"])
    for status, count in outbox.counts_by_status(session).items():
        messages.add_metric([status], count)
    yield messages
