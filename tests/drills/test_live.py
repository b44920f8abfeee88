"""A live drill end to end with real servers: the drill turns the demo
service's ``down`` fault on, a real Prometheus evaluating the seed's rule
fires WebSocketServiceDown, a real Alertmanager posts it to a real ``warroom
serve``, and the incident it opens is the drill's (paging only its
participants). The seed playbook's success-rate gate queries the real
Prometheus: it fails while the service is down and passes once the fault is
cleared. The rules' ``for:`` and the gate's rate window are shortened so the
test takes seconds, not minutes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
import yaml

from demo import service as demo
from tests.support.prometheus import eventually, start_alertmanager, start_prometheus
from tests.support.receivers import free_port
from tests.support.serve import serving

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parents[2]
GATE = "websocket-service-outage:verify-success-rate"


@pytest.fixture
def demo_service() -> Iterator[tuple[demo.Service, str]]:
    port = free_port()
    service, server, stop = demo.start("127.0.0.1", port)
    yield service, f"127.0.0.1:{port}"
    stop.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def quick(tmp_path) -> tuple[list[Path], Path]:
    """The shipped alert rules with ``for: 1s``, and the shipped playbooks with
    the success-rate gate's window cut from 5m to 3s."""
    rules = []
    for path in sorted((ROOT / "rules" / "prometheus").glob("*.yml")):
        document = yaml.safe_load(path.read_text())
        for group in document["groups"]:
            for rule in group["rules"]:
                if "for" in rule:
                    rule["for"] = "1s"
        (tmp_path / path.name).write_text(yaml.safe_dump(document))
        rules.append(tmp_path / path.name)
    playbooks = tmp_path / "playbooks"
    shutil.copytree(ROOT / "playbooks", playbooks)
    outage = playbooks / "websocket-service-outage.yaml"
    outage.write_text(outage.read_text().replace(
        "rate(websocket_connections_successful_total[5m])/rate("
        "websocket_connections_attempted_total[5m])",
        "rate(websocket_connections_successful_total[3s])/rate("
        "websocket_connections_attempted_total[3s])"))
    return rules, playbooks


@pytest.mark.e2e
def test_a_live_drill_breaks_the_demo_service_and_the_gate_follows_the_real_prometheus(
        database, settings, tmp_path, people, crew, demo_service, quick):
    service, target = demo_service
    rules, playbooks = quick
    admin = people.headers("admin")
    alertmanager = start_alertmanager(tmp_path / "am", bearer_token=people.tokens["responder"],
                                      webhook_url="http://127.0.0.1:{port}/api/v1/alerts/"
                                                  "alertmanager".format(port=(port :=
                                                                              free_port())))
    prometheus = start_prometheus(tmp_path / "prom", scrape_targets=[target], rule_files=rules,
                                  alertmanager=alertmanager.url)
    env = {**os.environ, "WARROOM_DATABASE_URL": database.url, "WARROOM_HOST": "127.0.0.1",
           "WARROOM_PORT": str(port), "WARROOM_DATA_DIR": str(tmp_path / "server"),
           "WARROOM_SECRET_KEY": settings.secret_key.get_secret_value(),
           "WARROOM_LOG_LEVEL": "warning", "WARROOM_DRILLS_DEMO_URL": f"http://{target}",
           "WARROOM_PLAYBOOK_PROMETHEUS_URL": prometheus.url,
           "WARROOM_PLAYBOOKS_DIR": str(playbooks), "WARROOM_PLAYBOOK_RECHECK_SECONDS": "1"}
    url = f"http://127.0.0.1:{port}"
    try:
        with serving(["--no-migrate"], env=env, log=tmp_path / "warroom.log", url=url):
            started = httpx.post(f"{url}/api/v1/drills", headers=admin, timeout=10, json={
                "scenario": "websocket-outage", "facilitator": "carol",
                "participants": ["alice"], "live": True})
            assert started.status_code == 201, started.text
            assert started.json()["incident"] is None  # the real alert opens it
            eventually(lambda: service.faults["down"], timeout=10, what="the fault")

            def drill() -> dict:
                return httpx.get(f"{url}/api/v1/drills/DR-1", headers=admin, timeout=5).json()

            incident = eventually(lambda: drill()["incident"], timeout=90,
                                  what="the incident opened through the seed's rule")
            shown = httpx.get(f"{url}/api/v1/incidents/{incident}", headers=admin).json()
            assert shown["is_drill"] is True and shown["title"].startswith("WebSocket service")
            assert shown["labels"]["drill_participants"] == "alice"

            def gate(wanted: str) -> bool:
                httpx.post(f"{url}/api/v1/incidents/{incident}/steps/{GATE}/run",
                           headers=admin, timeout=5)
                steps = httpx.get(f"{url}/api/v1/incidents/{incident}/steps", headers=admin,
                                  timeout=5).json()
                return next(s for s in steps if s["ref"] == GATE)["status"] == wanted

            eventually(lambda: gate("failed"), timeout=60, every=1,
                       what="the gate to fail while the service is down")
            service.switch("down", False)
            eventually(lambda: gate("succeeded"), timeout=60, every=1,
                       what="the gate to pass once the fault is cleared")
            service.switch("down", True)
            ended = httpx.post(f"{url}/api/v1/drills/DR-1/end", headers=admin, timeout=10)
            assert ended.status_code == 200, ended.text
            card = {o["id"]: o["status"] for o in ended.json()["scorecard"]}
            assert card["success-rate"] == "met" and card["ack"] == "missed"
            eventually(lambda: not service.faults["down"], timeout=10,
                       what="drill end to clear the fault")
    finally:
        prometheus.stop()
        alertmanager.stop()
