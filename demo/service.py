"""The demo target: a pretend WebSocket service that exposes the metrics the
seed's alert rules read (``rules/prometheus/websocket.yml``) and can be broken
on purpose over a small HTTP control API.

    python demo/service.py --port 9105
    curl -X POST localhost:9105/faults/down -d '{"on": true}'

``GET /metrics`` is what Prometheus scrapes (job ``websocket-service``; while
the ``down`` fault is on it answers 503, so ``up`` is 0). ``GET /faults``
shows the switches; ``POST /faults/<name>`` with ``{"on": true|false}`` flips
one; ``GET /health`` answers 200. Traffic is simulated by a background thread
ten times a second, so rates move within a scrape or two.
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

FAULTS = ("down", "connection_failures", "latency", "message_loss", "auth_failures",
          "retention_violation")
TICK_SECONDS = 0.1


class Service:
    """The metrics, the fault switches, and the traffic that moves them."""

    def __init__(self) -> None:
        self.faults = dict.fromkeys(FAULTS, False)
        self.lock = threading.Lock()
        self.registry = CollectorRegistry()
        r = self.registry
        self.attempted = Counter("websocket_connections_attempted", "Connection attempts",
                                 registry=r)
        self.attempts = Counter("websocket_connection_attempts", "Connection attempts (the "
                                "security rule's name)", registry=r)
        self.successful = Counter("websocket_connections_successful", "Connections made",
                                  registry=r)
        self.failures = Counter("websocket_connection_failures", "Connections that failed",
                                registry=r)
        self.errors = Counter("websocket_errors", "Errors answered", registry=r)
        self.auth_failures = Counter("websocket_auth_failures", "Failed authentications",
                                     registry=r)
        self.unauthorized = Counter("websocket_unauthorized_attempts", "Unauthorized attempts",
                                    registry=r)
        self.sent = Counter("websocket_messages_sent", "Messages accepted", registry=r)
        self.received = Counter("websocket_messages_received", "Messages delivered",
                                registry=r)
        self.duration = Histogram("websocket_message_duration_seconds", "Message latency",
                                  buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0), registry=r)
        self.active = Gauge("websocket_active_connections", "Open connections", registry=r)
        self.buffer = Gauge("websocket_buffer_utilization", "Send buffer use (0-1)", registry=r)
        self.retention = Gauge("websocket_log_retention_days", "Age of the oldest kept log",
                               registry=r)

    def switch(self, fault: str, on: bool) -> None:
        with self.lock:
            self.faults[fault] = on

    def tick(self) -> None:
        """One tenth of a second of traffic: 20 connections and 100 messages a second."""
        with self.lock:
            faults = dict(self.faults)
        if faults["down"]:
            return
        self.attempted.inc(2)
        self.attempts.inc(2)
        failed = 2 if faults["connection_failures"] else 0
        self.failures.inc(failed)
        self.errors.inc(failed)
        self.successful.inc(2 - failed)
        self.active.set(500 if not failed else 20)
        self.sent.inc(10 if not faults["message_loss"] else 40)
        self.received.inc(10)
        for _ in range(10):
            self.duration.observe(2.0 if faults["latency"] else 0.03)
        if faults["auth_failures"]:
            self.auth_failures.inc(5)
            self.unauthorized.inc(5)
        self.buffer.set(0.95 if faults["message_loss"] else 0.3)
        self.retention.set(45 if faults["retention_violation"] else 14)

    def metrics(self) -> bytes | None:
        with self.lock:
            if self.faults["down"]:
                return None
        return generate_latest(self.registry)


def serve(service: Service, host: str, port: int) -> ThreadingHTTPServer:
    """The HTTP server (metrics and control), serving on a thread of its own."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/metrics":
                body = service.metrics()
                if body is None:
                    self._answer(503, b"down\n", "text/plain")
                else:
                    self._answer(200, body, "text/plain; version=0.0.4")
            elif self.path == "/faults":
                self._json(200, service.faults)
            elif self.path == "/health":
                self._json(200, {"ok": True})
            else:
                self._json(404, {"error": "not found"})

        def do_POST(self) -> None:
            name = self.path.removeprefix("/faults/")
            if not self.path.startswith("/faults/") or name not in FAULTS:
                self._json(404, {"error": f"faults are {', '.join(FAULTS)}"})
                return
            try:
                length = min(int(self.headers.get("content-length", 0)), 1024)
                wanted: Any = json.loads(self.rfile.read(length) or b"{}").get("on", True)
            except (ValueError, AttributeError):
                self._json(400, {"error": 'send {"on": true} or {"on": false}'})
                return
            service.switch(name, bool(wanted))
            self._json(200, service.faults)

        def _json(self, status: int, data: Any) -> None:
            self._answer(status, json.dumps(data).encode(), "application/json")

        def _answer(self, status: int, body: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("content-type", kind)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run_traffic(service: Service, stop: threading.Event) -> None:
    while not stop.wait(TICK_SECONDS):
        service.tick()


def start(host: str = "127.0.0.1", port: int = 9105) -> tuple[Service, ThreadingHTTPServer,
                                                              threading.Event]:
    """Start the service in this process (the tests do); returns what to stop."""
    service = Service()
    service.tick()
    server = serve(service, host, port)
    stop = threading.Event()
    threading.Thread(target=run_traffic, args=(service, stop), daemon=True).start()
    return service, server, stop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9105)
    args = parser.parse_args()
    _, server, stop = start(args.host, args.port)
    print(f"demo service on http://{args.host}:{args.port} (metrics, faults)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        stop.set()
        server.shutdown()


if __name__ == "__main__":
    main()
