"""A prometheus_check gate against a real Prometheus scraping an exporter whose
traffic the test controls: at 95% connection success the incident cannot be
resolved (409 naming the gate and the measured rate); once the success rate is
above 0.99 the gate passes and the incident resolves."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from tests.playbooks.conftest import write_playbook
from tests.support.prometheus import eventually, start_exporter, start_prometheus

# seed 000 §2.5's query over a short window, so the test sees a change within seconds
QUERY = ("rate(websocket_connections_successful_total[4s])"
         "/rate(websocket_connections_attempted_total[4s])")
GATED = f"""
name: websocket-gate
version: "1"
title: WebSocket recovery gate
source: seed 000 §2 WebSocket Service Outage Playbook
phases:
  - phase: recovery
    due: 0-45 minutes
    steps:
      - id: success-rate
        title: Connection success rate above 99%
        role: technical_lead
        kind: prometheus_check
        query: "{QUERY}"
        condition: "> 0.99"
        gate: true
        source: seed 000 §2.5 Recovery Verification > Health Validation
"""


class Traffic:
    """Connections to a pretend WebSocket service, counted like the real one."""

    def __init__(self, exporter) -> None:
        self.exporter, self.success = exporter, 0.95
        self.attempted = self.successful = 0.0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.is_set():
            self.attempted += 10
            self.successful += 10 * self.success
            self.exporter.set("websocket_connections_attempted_total", self.attempted)
            self.exporter.set("websocket_connections_successful_total", self.successful)
            time.sleep(0.1)


@pytest.fixture
def traffic(tmp_path):
    exporter = start_exporter()
    flow = Traffic(exporter)
    flow.thread.start()
    prometheus = start_prometheus(tmp_path / "prometheus", scrape_targets=[exporter.target],
                                  rule_files=[])
    yield flow, prometheus
    flow.stop.set()
    prometheus.stop()
    exporter.close()


def measured(prometheus) -> float | None:
    result = httpx.get(prometheus.url + "/api/v1/query", params={"query": QUERY}).json()
    values = result["data"]["result"]
    return float(values[0]["value"][1]) if values else None


@pytest.mark.e2e
def test_success_rate_gate_blocks_resolution_until_prometheus_shows_recovery(
        traffic, playbooks_dir, configure, declare, client, people, worker):
    flow, prometheus = traffic
    write_playbook(playbooks_dir, "websocket-gate", GATED)
    configure(PLAYBOOKS_DIR=str(playbooks_dir), PLAYBOOK_PROMETHEUS_URL=prometheus.url)
    eventually(lambda: (measured(prometheus) or 0) > 0.9, timeout=30,
               what="Prometheus to measure the 95% success rate")
    ref = declare(type="service_outage", severity="critical")
    client.post(f"/api/v1/incidents/{ref}/playbooks", json={"playbook": "websocket-gate"},
                headers=people.admin)
    worker.run_once()
    for phase in ("triage", "recovery"):
        client.post(f"/api/v1/incidents/{ref}/transition", json={"phase": phase},
                    headers=people.admin)
    refused = client.post(f"/api/v1/incidents/{ref}/transition",
                          json={"phase": "lessons_learned"}, headers=people.admin)
    assert refused.status_code == 409
    assert "websocket-gate:success-rate (Connection success rate above 99%) is failed: " \
           f"{QUERY} = 0.95" in refused.json()["detail"]
    assert "(needs > 0.99)" in refused.json()["detail"]

    flow.success = 1.0

    def gate_passed() -> bool:
        asked = client.post(f"/api/v1/incidents/{ref}/steps/success-rate/run",
                            headers=people.headers("responder"))
        assert asked.status_code == 200, asked.text
        worker.run_once()
        step = client.get(f"/api/v1/incidents/{ref}/steps/success-rate",
                          headers=people.admin).json()
        return step["status"] == "succeeded"

    eventually(gate_passed, timeout=30, every=0.5, what="the success rate to pass 0.99")
    resolved = client.post(f"/api/v1/incidents/{ref}/transition",
                           json={"phase": "lessons_learned"}, headers=people.admin)
    assert resolved.status_code == 200, resolved.text
