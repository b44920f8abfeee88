"""End to end with real servers: an exporter metric breaches one of the shipped
seed rules in a real Prometheus, whose real Alertmanager posts to a real
``warroom serve``; the incident appears, and putting the metric back records
the resolution. The poller variant does the same without Alertmanager."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
import yaml

from tests.support.prometheus import (
    Exporter,
    eventually,
    start_alertmanager,
    start_exporter,
    start_prometheus,
)
from tests.support.receivers import free_port
from tests.support.serve import serving
from warroom.intake.sources.alert import fingerprint

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parents[2]
BUFFER = 'websocket_buffer_utilization{instance="ws-1"}'


@dataclass
class Warroom:
    url: str
    headers: dict[str, str]

    def get(self, path: str, **params: object) -> object:
        answer = httpx.get(self.url + path, params=params, headers=self.headers, timeout=5)
        answer.raise_for_status()
        return answer.json()

    def alerts(self) -> list[dict]:
        return self.get("/api/v1/alerts")["items"]  # type: ignore[index]


@pytest.fixture
def exporter() -> Iterator[Exporter]:
    started = start_exporter()
    started.set(BUFFER, 0.4)
    yield started
    started.close()


@pytest.fixture
def quick_rules(tmp_path) -> list[Path]:
    """The shipped Prometheus rules with every ``for:`` shortened to 1s."""
    copies = []
    for path in sorted((ROOT / "rules" / "prometheus").glob("*.yml")):
        document = yaml.safe_load(path.read_text())
        for group in document["groups"]:
            for rule in group["rules"]:
                if "for" in rule:
                    rule["for"] = "1s"
        copy = tmp_path / path.name
        copy.write_text(yaml.safe_dump(document))
        copies.append(copy)
    return copies


def serve(database, settings, tmp_path, people, **extra_env: str) -> Iterator[Warroom]:
    port = free_port()
    env = {**os.environ, "WARROOM_DATABASE_URL": database.url, "WARROOM_HOST": "127.0.0.1",
           "WARROOM_PORT": str(port), "WARROOM_DATA_DIR": str(tmp_path / "server"),
           "WARROOM_SECRET_KEY": settings.secret_key.get_secret_value(),
           "WARROOM_LOG_LEVEL": "warning", **extra_env}
    server = Warroom(f"http://127.0.0.1:{port}", people.headers("responder"))
    with serving(["--no-migrate"], env=env, log=tmp_path / "warroom.log", url=server.url):
        yield server


@pytest.fixture
def warroom_server(database, settings, tmp_path, people) -> Iterator[Warroom]:
    yield from serve(database, settings, tmp_path, people)


@pytest.mark.e2e
def test_a_breached_seed_rule_becomes_an_incident_through_alertmanager(
        warroom_server, exporter, quick_rules, tmp_path, people):
    token = people.tokens["responder"]
    alertmanager = start_alertmanager(
        tmp_path / "alertmanager", webhook_url=warroom_server.url + "/api/v1/alerts/alertmanager",
        bearer_token=token)
    prometheus = start_prometheus(tmp_path / "prometheus", scrape_targets=[exporter.target],
                                  rule_files=quick_rules, alertmanager=alertmanager.url)
    try:
        exporter.set(BUFFER, 0.95)
        incident = eventually(lambda: next(iter(warroom_server.get(
            "/api/v1/incidents")["items"]), None), timeout=90, what="the incident")
        assert (incident["type"], incident["severity"]) == ("data_integrity", "sev3")
        assert incident["title"] == "WebSocket buffer above 90% full"
        (alert,) = warroom_server.alerts()
        assert (alert["name"], alert["source"], alert["rule"]) == \
            ("WebSocketBufferOverflow", "alertmanager", "websocket-buffer-overflow")
        # Alertmanager's fingerprint is the one warroom computes for the same labels
        assert alert["dedup_key"] == fingerprint(alert["labels"])

        exporter.set(BUFFER, 0.5)
        eventually(lambda: warroom_server.alerts()[0]["status"] == "resolved", timeout=90,
                   what="the resolution")
        summaries = [e["summary"] for e in warroom_server.get(
            f"/api/v1/incidents/{incident['id']}/timeline", kind="alert")]
        assert any(s.startswith("WebSocketBufferOverflow") and s.endswith("resolved")
                   for s in summaries)
        assert f"All alerts of {incident['id']} have resolved" in summaries
    finally:
        prometheus.stop()
        alertmanager.stop()


@pytest.mark.e2e
def test_without_alertmanager_the_poller_reads_prometheus(database, settings, tmp_path, people,
                                                          exporter, quick_rules):
    prometheus = start_prometheus(tmp_path / "prometheus", scrape_targets=[exporter.target],
                                  rule_files=quick_rules)
    servers = serve(database, settings, tmp_path, people, WARROOM_PROMETHEUS_URL=prometheus.url,
                    WARROOM_PROMETHEUS_POLL_SECONDS="1")
    server = next(servers)
    try:
        exporter.set(BUFFER, 0.95)
        incident = eventually(lambda: next(iter(server.get("/api/v1/incidents")["items"]),
                                           None), timeout=90, what="the incident")
        assert incident["type"] == "data_integrity"
        (alert,) = server.alerts()
        assert alert["source"] == "prometheus"
        exporter.set(BUFFER, 0.5)
        eventually(lambda: server.alerts()[0]["status"] == "resolved", timeout=90,
                   what="the resolution")
    finally:
        servers.close()
        prometheus.stop()
