"""A local HTTP receiver standing in for third-party services we cannot reach
(Slack, PagerDuty, SMS gateways, customer webhooks): it records every request
and can be told to fail or to be down."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    server: ThreadingHTTPServer
    requests: list[Received] = field(default_factory=list)
    fail_next: int = 0
    fail_status: int = 503
    fail_body: bytes = b"ok"
    lock: threading.Lock = field(default_factory=threading.Lock)
    arrived: threading.Condition = field(default_factory=threading.Condition)
    gate: threading.Event = field(default_factory=lambda: _open_event())
    """Cleared, requests are recorded on arrival and then held unanswered until
    it is set again: a slow receiver that the test controls without sleeping."""

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Block until ``count`` requests arrived (deliveries are real network
        calls made by a worker thread, so this waits on a condition, not a timer)."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.requests) >= count, timeout=timeout)
        return list(self.requests)

    def close(self) -> None:
        self.gate.set()
        self.server.shutdown()
        self.server.server_close()


def _open_event() -> threading.Event:
    event = threading.Event()
    event.set()
    return event


def start_receiver() -> Receiver:
    holder: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            receiver = holder["receiver"]
            length = int(self.headers.get("content-length", 0))
            body = self.rfile.read(length)
            with receiver.lock:
                failing = receiver.fail_next > 0
                if failing:
                    receiver.fail_next -= 1
            if not failing:
                with receiver.arrived:
                    receiver.requests.append(Received("POST", self.path, {
                        k.lower(): v for k, v in self.headers.items()}, body))
                    receiver.arrived.notify_all()
                receiver.gate.wait(timeout=30)
            status = receiver.fail_status if failing else 200
            answer = receiver.fail_body if failing else b"ok"
            self.send_response(status)
            self.send_header("content-length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver = Receiver(server=server)
    holder["receiver"] = receiver
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
