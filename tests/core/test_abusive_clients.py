"""``warroom serve`` under clients that open connections and never finish a
request: idle sockets by the thousand, half-sent headers, stalled bodies,
more requests at once than it will handle.

Each test runs the real server in a subprocess on a temporary SQLite file,
with the open-file limit systemd gives a service (1,024). Waiting here is for
another process and its real timers, always bounded by a deadline.
"""

from __future__ import annotations

import os
import resource
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.support.prometheus import eventually
from tests.support.receivers import Receiver, free_port
from tests.support.serve import READY_SECONDS, WARROOM, healthy, stop
from warroom import config, registry
from warroom.auth import service as users
from warroom.clock import FrozenClock
from warroom.db import Actor, Database
from warroom.oncall.people import service as people_service
from warroom.oncall.positions import service as positions
from warroom.oncall.targets import TargetSpec

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

IDLE_SOCKETS = 1100
SECRET = "abusive-clients-test"


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    token: str
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def soft_open_file_limit(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/limits").read_text().splitlines():
            if line.startswith("Max open files"):
                return int(line.split()[3])
        raise AssertionError("no open-file limit in /proc")


def organise(url: str, receiver: Receiver) -> str:
    """An admin token, and an on-call engineer paged by webhook at ``receiver``."""
    registry.connect_all()
    database = Database(url)
    with database.unit_of_work(Actor(name="setup", kind="system"), clock=FrozenClock()) as uow:
        admin = users.create(uow, username="boss", role="admin")
        token = users.issue_token(uow, user=admin, name="test").secret
        oce = users.create(uow, username="oce", role="responder")
        people_service.add_contact_method(uow, user=oce, kind="webhook",
                                          address=f"{receiver.url}/oce", secret=SECRET)
        positions.bind(uow, position="on_call_engineer", targets=[TargetSpec(user="oce")])
    database.dispose()
    return token


@pytest.fixture
def start(tmp_path: Path, sqlite_template: Path, receiver: Receiver,
          monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Server]]:
    """``start(soft=, hard=, **env)`` runs ``warroom serve`` under that open-file limit."""
    path = tmp_path / "warroom.db"
    shutil.copyfile(sqlite_template, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("WARROOM_SECRET_KEY", SECRET)
    monkeypatch.setenv("WARROOM_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("WARROOM_OUTBOUND_ALLOW", "127.0.0.0/8,::1")  # the local receiver
    config.reset()
    token = organise(url, receiver)
    started: list[Server] = []

    def launch(soft: int = 1024, hard: int = 1024, **env: str) -> Server:
        port = free_port()
        log = tmp_path / f"serve-{port}.log"
        process = subprocess.Popen(
            [WARROOM, "serve", "--no-migrate"],
            env={**os.environ, "WARROOM_DATABASE_URL": url, "WARROOM_PORT": str(port),
                 "WARROOM_HOST": "127.0.0.1", "WARROOM_DATA_DIR": str(tmp_path / "var"),
                 "WARROOM_SECRET_KEY": SECRET, "WARROOM_WORKER_POLL_SECONDS": "0.2",
                 "WARROOM_LOG_LEVEL": "warning", **env},
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard)),
            stdout=log.open("wb"), stderr=subprocess.STDOUT)
        server = Server(process, port, token, log)
        started.append(server)
        eventually(lambda: _healthy(server), timeout=READY_SECONDS, what="warroom to serve")
        return server

    yield launch
    for server in started:
        stop(server.process)
    config.reset()


def _healthy(server: Server) -> bool:
    return healthy(server.process, server.url, server.log)


@pytest.fixture
def idle_sockets() -> Iterator[Callable[[int, int], list[socket.socket]]]:
    opened: list[socket.socket] = []

    def open_idle(port: int, count: int) -> list[socket.socket]:
        for _ in range(count):
            opened.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        return opened

    yield open_idle
    for sock in opened:
        sock.close()


def send_alert(server: Server) -> httpx.Response:
    return httpx.post(server.url + "/api/v1/alerts/generic", timeout=15,
                      headers={"Authorization": f"Bearer {server.token}"},
                      json={"name": "DiskFull", "severity": "low", "summary": "disk full"})


def declare(server: Server) -> httpx.Response:
    return httpx.post(server.url + "/api/v1/incidents", timeout=15,
                      headers={"Authorization": f"Bearer {server.token}"},
                      json={"type": "service_outage", "severity": "sev3", "title": "down"})


def warm_up(server: Server) -> None:
    """One alert before the test, so a cold first request is not what is timed."""
    assert send_alert(server).status_code in (200, 201, 202)


def assert_intake_and_paging_work(server: Server, receiver: Receiver) -> None:
    for _ in range(3):  # each on a new connection
        started = time.monotonic()
        answer = send_alert(server)
        assert answer.status_code in (200, 201, 202), answer.text
        assert time.monotonic() - started < 10
    assert declare(server).status_code == 201
    delivered = receiver.wait_for(1, timeout=20)
    assert [request.path for request in delivered] == ["/oce"]


def test_idle_sockets_at_the_hard_file_limit_stop_neither_intake_nor_paging(
        start, idle_sockets, receiver: Receiver) -> None:
    # soft and hard limit 1,024 and timeouts far away: only the connection cap saves it
    server = start(soft=1024, hard=1024, WARROOM_HTTP_HEADER_TIMEOUT_SECONDS="600")
    assert server.soft_open_file_limit() == 1024
    warm_up(server)
    idle_sockets(server.port, IDLE_SOCKETS)
    assert_intake_and_paging_work(server, receiver)


def test_the_soft_file_limit_is_raised_to_the_hard_one_at_start(
        start, idle_sockets, receiver: Receiver) -> None:
    server = start(soft=1024, hard=4096, WARROOM_HTTP_HEADER_TIMEOUT_SECONDS="600")
    assert server.soft_open_file_limit() == 4096
    warm_up(server)
    idle_sockets(server.port, IDLE_SOCKETS)
    assert_intake_and_paging_work(server, receiver)


def read_until_closed(sock: socket.socket, timeout: float) -> bytes:
    sock.settimeout(timeout)
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def test_half_sent_headers_and_stalled_bodies_are_cut_off(start) -> None:
    server = start(WARROOM_HTTP_HEADER_TIMEOUT_SECONDS="1", WARROOM_HTTP_BODY_TIMEOUT_SECONDS="1")
    slowloris = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    stalled = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    silent = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    started = time.monotonic()
    slowloris.sendall(b"POST /api/v1/alerts/generic HTTP/1.1\r\nHost: warroom\r\n")
    stalled.sendall(b"POST /api/v1/alerts/generic HTTP/1.1\r\nHost: warroom\r\n"
                    b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"na")
    for sock in (slowloris, stalled, silent):
        answer = read_until_closed(sock, timeout=15)
        assert answer.startswith(b"HTTP/1.1 408 "), answer
        assert b"application/problem+json" in answer
        sock.close()
    assert 0.9 < time.monotonic() - started < 12
    assert _healthy(server)


def test_requests_over_the_concurrency_limit_get_a_problem_503(start) -> None:
    server = start(WARROOM_HTTP_MAX_CONCURRENCY="2", WARROOM_HTTP_BODY_TIMEOUT_SECONDS="60")
    waiting = []
    for _ in range(2):  # two requests in hand, waiting for bodies that never come
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        sock.sendall(b"POST /api/v1/incidents HTTP/1.1\r\nHost: warroom\r\n"
                     b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n")
        waiting.append(sock)
    answers: list[httpx.Response] = []

    def refused() -> bool:  # once the server has read both sets of headers
        answers.append(httpx.get(server.url + "/health", timeout=5))
        return answers[-1].status_code == 503

    eventually(refused, timeout=10, every=0.1, what="the limit to be reached")
    answer = answers[-1]
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["retry-after"] == "1"
    assert "WARROOM_HTTP_MAX_CONCURRENCY" in answer.json()["detail"]
    for sock in waiting:
        sock.close()
    eventually(lambda: _healthy(server), timeout=10, every=0.1, what="the slots to free up")
