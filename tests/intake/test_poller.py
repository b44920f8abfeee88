"""The Prometheus poller turns ``/api/v1/alerts`` into alerts (the HTTP part
runs against a real Prometheus in the end-to-end test)."""

from __future__ import annotations

from warroom.db import SYSTEM
from warroom.intake import poller


def reported(state: str = "firing", **labels: str) -> dict:
    return {"labels": {"alertname": "WebSocketBufferOverflow", "instance": "ws-1",
                       "severity": "medium", **labels},
            "annotations": {"summary": "buffer 95% full"}, "state": state,
            "activeAt": "2026-01-05T11:59:00Z", "value": "9.5e-01"}


def poll(database, clock, alerts):
    with database.unit_of_work(SYSTEM, clock=clock) as uow:
        return poller.receive(uow, alerts)


def test_firing_alerts_open_incidents_and_pending_ones_wait(database, clock, send):
    report = poll(database, clock, [reported(), reported("pending", instance="ws-2")])
    assert (report.new, report.opened) == (1, ["INC-1"])
    (stored,) = send.alerts()
    assert (stored["source"], stored["rule"]) == ("prometheus", "websocket-buffer-overflow")
    assert stored["starts_at"] == "2026-01-05T11:59:00Z"


def test_an_alert_prometheus_stops_reporting_has_resolved(database, clock, send):
    poll(database, clock, [reported()])
    report = poll(database, clock, [])
    assert report.resolved == 1
    assert send.alerts()[0]["status"] == "resolved"


def test_without_a_url_the_poller_stays_idle(database, clock):
    with database.unit_of_work(SYSTEM, clock=clock) as uow:
        assert poller.poll(uow) is None
