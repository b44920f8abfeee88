"""Intake gauges for ``/metrics``: alerts by status and hold, flapping groups,
active silences and the monitoring switch."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import func, select

from warroom import clock
from warroom.intake import service, switches
from warroom.intake.models import AlertGroup, Silence

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.orm import Session


def collect(session: Session) -> Iterator[Metric]:
    alerts = GaugeMetricFamily("warroom_alerts", "Stored alerts by status and hold "
                               "(none, silenced, paused, flapping)", labels=["status", "held"])
    for (status, held), count in sorted(service.counts(session).items()):
        alerts.add_metric([status, held], count)
    yield alerts
    now = clock.now()
    yield GaugeMetricFamily("warroom_alert_groups_flapping", "Alert groups marked flapping",
                            value=session.scalar(select(func.count()).select_from(AlertGroup)
                                                 .where(AlertGroup.flapping_since.is_not(None)))
                            or 0)
    yield GaugeMetricFamily("warroom_silences_active", "Silences in effect now",
                            value=session.scalar(select(func.count()).select_from(Silence)
                                                 .where(Silence.starts_at <= now,
                                                        Silence.ends_at > now)) or 0)
    yield GaugeMetricFamily("warroom_monitoring_enabled", "1 while alerts may open incidents, "
                            "0 while monitoring is paused",
                            value=1 if switches.read(session).monitoring_enabled else 0)
