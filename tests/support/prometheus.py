"""Real Prometheus and Alertmanager (Debian's binaries) on free loopback ports,
plus a tiny exporter whose metric values a test sets.

Waiting here is for real external processes (a scrape, a rule evaluation, a
webhook), bounded by a deadline; warroom's own timers are never waited on.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import httpx
import yaml

from tests.support.receivers import free_port

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
ALERTMANAGER = (shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
                or "/usr/bin/prometheus-alertmanager")
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"


@dataclass
class Exporter:
    """Serves ``/metrics`` in the Prometheus text format from ``values``:
    ``{'websocket_buffer_utilization{instance="a"}': 0.95}``."""

    server: ThreadingHTTPServer
    values: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def target(self) -> str:
        host, port = self.server.server_address[:2]
        return f"{host}:{port}"

    def set(self, series: str, value: float) -> None:
        with self.lock:
            self.values[series] = value

    def render(self) -> bytes:
        with self.lock:
            return "".join(f"{k} {v}\n" for k, v in self.values.items()).encode()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_exporter() -> Exporter:
    holder: dict[str, Exporter] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = holder["exporter"].render()
            self.send_response(200)
            self.send_header("content-type", "text/plain; version=0.0.4")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    server.daemon_threads = True
    exporter = Exporter(server=server)
    holder["exporter"] = exporter
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return exporter


@dataclass
class Process:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_prometheus(workdir: Path, *, scrape_targets: list[str], rule_files: list[Path],
                     alertmanager: str | None = None, interval: str = "1s") -> Process:
    workdir.mkdir(parents=True, exist_ok=True)
    config: dict[str, Any] = {
        "global": {"scrape_interval": interval, "evaluation_interval": interval},
        "rule_files": [str(p) for p in rule_files],
        "scrape_configs": [{"job_name": "websocket-service",
                            "static_configs": [{"targets": scrape_targets}]}],
    }
    if alertmanager:
        host = alertmanager.split("://", 1)[-1].rstrip("/")
        config["alerting"] = {"alertmanagers": [{"static_configs": [{"targets": [host]}]}]}
    (workdir / "prometheus.yml").write_text(yaml.safe_dump(config))
    port = free_port()
    log = workdir / "prometheus.log"
    process = subprocess.Popen(
        [PROMETHEUS, f"--config.file={workdir / 'prometheus.yml'}",
         f"--storage.tsdb.path={workdir / 'data'}", f"--web.listen-address=127.0.0.1:{port}",
         "--web.enable-lifecycle"],
        stdout=log.open("wb"), stderr=subprocess.STDOUT)
    server = Process(f"http://127.0.0.1:{port}", process, log)
    _wait_ready(server, "/-/ready")
    return server


def start_alertmanager(workdir: Path, *, webhook_url: str, bearer_token: str | None = None,
                       group_wait: str = "0s", group_interval: str = "1s",
                       repeat_interval: str = "1h") -> Process:
    workdir.mkdir(parents=True, exist_ok=True)
    receiver: dict[str, Any] = {"url": webhook_url, "send_resolved": True}
    if bearer_token:
        receiver["http_config"] = {"authorization": {"type": "Bearer",
                                                     "credentials": bearer_token}}
    config = {
        "route": {"receiver": "warroom", "group_by": ["alertname"], "group_wait": group_wait,
                  "group_interval": group_interval, "repeat_interval": repeat_interval},
        "receivers": [{"name": "warroom", "webhook_configs": [receiver]}],
    }
    (workdir / "alertmanager.yml").write_text(yaml.safe_dump(config))
    port = free_port()
    log = workdir / "alertmanager.log"
    process = subprocess.Popen(
        [ALERTMANAGER, f"--config.file={workdir / 'alertmanager.yml'}",
         f"--storage.path={workdir / 'data'}", f"--web.listen-address=127.0.0.1:{port}",
         "--cluster.listen-address=", "--log.level=warn"],
        stdout=log.open("wb"), stderr=subprocess.STDOUT)
    server = Process(f"http://127.0.0.1:{port}", process, log)
    _wait_ready(server, "/-/ready")
    return server


def eventually(check: Callable[[], Any], *, timeout: float = 60.0, every: float = 0.25,
               what: str = "condition") -> Any:
    """Poll an external system until ``check`` returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(every)


def _wait_ready(server: Process, path: str) -> None:
    def ready() -> bool:
        if server.process.poll() is not None:
            raise AssertionError(f"{server.url} exited: {server.log.read_text()[-2000:]}")
        try:
            return httpx.get(server.url + path, timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    eventually(ready, timeout=30, what=f"{server.url} to be ready")
