"""Incident gauges for /metrics: open incidents by severity and phase."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client.core import GaugeMetricFamily, Metric

from warroom.incidents import service as incidents

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.orm import Session


def collect(session: Session) -> Iterator[Metric]:
    open_incidents = GaugeMetricFamily("warroom_open_incidents",
                                       "Open incidents by severity and phase",
                                       labels=["severity", "phase"])
    for severity, phase, count in incidents.count_open_by(session):
        open_incidents.add_metric([severity, phase], count)
    yield open_incidents
