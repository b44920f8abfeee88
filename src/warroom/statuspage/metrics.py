"""Status page gauges and counters for ``/metrics``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from sqlalchemy import func, select

from warroom.statuspage.models import Component, Subscriber
from warroom.statuspage.publishing import documents

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.orm import Session


def collect(session: Session) -> Iterator[Metric]:
    by_status = GaugeMetricFamily("warroom_statuspage_components",
                                  "Status page components by status", labels=["status"])
    for status, count in session.execute(select(Component.status, func.count())
                                         .group_by(Component.status)):
        by_status.add_metric([status], count)
    yield by_status
    people = GaugeMetricFamily("warroom_statuspage_subscribers",
                               "Status page subscribers by kind and status",
                               labels=["kind", "status"])
    for kind, status, count in session.execute(
            select(Subscriber.kind, Subscriber.status, func.count())
            .group_by(Subscriber.kind, Subscriber.status)):
        people.add_metric([kind, status], count)
    yield people
    served = CounterMetricFamily("warroom_statuspage_public_responses",
                                 "Public status page responses served from the snapshot "
                                 "(by this process), by HTTP status", labels=["code"])
    for code, count in sorted(documents.served.items()):
        served.add_metric([str(code)], count)
    yield served
