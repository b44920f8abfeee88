"""Prometheus metrics: request counts and latencies, plus gauges read from the
database at scrape time (open incidents, audit chain length, outbox)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import Collector

from warroom import registry
from warroom.lane import record

if TYPE_CHECKING:
    from collections.abc import Iterator

    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from warroom.db import Database

disable_created_metrics()


class Metrics:
    def __init__(self, database: Database) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("warroom_http_requests", "HTTP requests answered",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("warroom_http_request_duration_seconds",
                                 "Time to answer HTTP requests", ["route"],
                                 buckets=(.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5),
                                 registry=self.registry)
        self.registry.register(_DatabaseCollector(database))

    def render(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class _DatabaseCollector(Collector):
    def __init__(self, database: Database) -> None:
        self.database = database

    def collect(self) -> Iterator[Metric]:
        from warroom.audit import service as audit
        from warroom.incidents import service as incidents
        from warroom.notify import service as outbox

        with self.database.read() as session:
            open_incidents = GaugeMetricFamily("warroom_open_incidents",
                                               "Open incidents by severity and phase",
                                               labels=["severity", "phase"])
            for severity, phase, count in incidents.count_open_by(session):
                open_incidents.add_metric([severity, phase], count)
            yield open_incidents
            yield GaugeMetricFamily("warroom_audit_chain_length", "Entries in the audit chain",
                                    value=audit.chain_length(session))
            messages = GaugeMetricFamily("warroom_outbox_messages", "Outbox messages by status",
                                         labels=["status"])
            for status, count in outbox.counts_by_status(session).items():
                messages.add_metric([status], count)
            yield messages
            for domain in registry.DOMAINS:
                if domain.metrics is not None:
                    yield from domain.metrics(session)


class MetricsMiddleware:
    """Counts every request by route template (not raw path, to bound labels)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def observing_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, observing_send)
        finally:
            route = scope.get("route")
            record(self.metrics, scope["method"], getattr(route, "path", None) or "unmatched",
                   status, started)
