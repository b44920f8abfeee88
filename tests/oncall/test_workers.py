"""Separate ``warroom worker`` processes on one PostgreSQL database: two at
once send every page exactly once, and a worker killed with SIGKILL in the
middle of an escalation is replaced without losing a page.

The workers read "now" from a file the test moves (WARROOM_FAKE_TIME_FILE);
waiting here is for other processes to act, bounded by a deadline.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import create_engine, select, text

from tests.conftest import PG_URL, _pg_url
from tests.oncall.conftest import SECRET
from warroom import config, registry
from warroom.auth import service as users
from warroom.clock import FileClock, FrozenClock, using
from warroom.db import Actor, Database
from warroom.incidents import service as incidents
from warroom.notify.channels import signing
from warroom.notify.models import OutboxMessage
from warroom.oncall.escalation.models import Page
from warroom.oncall.people import service as people_service
from warroom.oncall.positions import service as positions
from warroom.oncall.targets import TargetSpec

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

INCIDENTS = 20
# sev3: on-call engineer at once, team lead at 15 min, engineering manager at 1 h.
STEPS = [(0, "oce"), (15, "lead"), (60, "em")]


@pytest.fixture
def pg_url(pg_template: str | None) -> Iterator[str]:
    """A fresh migrated PostgreSQL database (these tests need real row locks)."""
    if not PG_URL or not pg_template:
        pytest.fail("These tests run several worker processes on PostgreSQL: set "
                    "WARROOM_TEST_PG_URL (make test does).")
    name = f"warroom_w{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
    yield _pg_url(name)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class Hooks:
    """A local receiver that can answer slowly, so a worker can be killed
    while pages are in flight. Keeps every request it got."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                time.sleep(outer.delay)
                with outer.lock:
                    outer.requests.append({"path": self.path, "body": body,
                                           "headers": {k.lower(): v
                                                       for k, v in self.headers.items()}})
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def keys(self, path: str | None = None) -> list[str]:
        with self.lock:
            return [r["headers"]["webhook-id"] for r in self.requests
                    if path is None or r["path"] == path]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Fleet:
    """The database, the shared time file and the worker processes."""

    def __init__(self, url: str, workdir: Path) -> None:
        self.url = url
        self.workdir = workdir
        self.time_file = workdir / "now"
        self.clock = FrozenClock()
        FileClock.write(self.time_file, self.clock.now())
        self.start = self.clock.now()
        self.database = Database(url, pool_size=2)
        self.workers: list[subprocess.Popen[bytes]] = []

    def unit(self) -> Any:
        return self.database.unit_of_work(Actor(name="setup", kind="system"), clock=self.clock)

    def move_to(self, minutes: float) -> None:
        self.clock.set(self.start + timedelta(minutes=minutes))
        FileClock.write(self.time_file, self.clock.now())

    def spawn(self, name: str) -> subprocess.Popen[bytes]:
        env = {**os.environ, "WARROOM_DATABASE_URL": self.url,
               "WARROOM_FAKE_TIME_FILE": str(self.time_file),
               "WARROOM_SECRET_KEY": os.environ["WARROOM_SECRET_KEY"],
               "WARROOM_DATA_DIR": str(self.workdir / "var"),
               "WARROOM_WORKER_POLL_SECONDS": "0.05", "WARROOM_WORKER_BATCH_SIZE": "4",
               "WARROOM_WORKER_CONCURRENCY": "2", "WARROOM_LOG_LEVEL": "warning"}
        log = (self.workdir / f"{name}.log").open("wb")
        process = subprocess.Popen([str(Path(sys.executable).parent / "warroom"), "worker"],
                                   env=env, stdout=log, stderr=subprocess.STDOUT)
        self.workers.append(process)
        return process

    def statuses(self) -> Counter[str]:
        with self.database.read() as session:
            return Counter(session.scalars(select(OutboxMessage.status)))

    def close(self) -> None:
        for process in self.workers:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
        self.database.dispose()


@pytest.fixture
def fleet(pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Fleet]:
    monkeypatch.setenv("WARROOM_DATABASE_URL", pg_url)
    monkeypatch.setenv("WARROOM_SECRET_KEY", "worker-test-secret")
    monkeypatch.setenv("WARROOM_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("WARROOM_OUTBOUND_ALLOW", "127.0.0.0/8")  # the hooks run on loopback
    config.reset()
    registry.connect_all()
    started = Fleet(pg_url, tmp_path)
    with using(started.clock):
        yield started
    started.close()
    config.reset()


def organise(fleet: Fleet, hooks: Hooks) -> None:
    """Three people on the sev3 positions, reached by signed webhooks, and
    INCIDENTS incidents declared."""
    with fleet.unit() as uow:
        for position, username in (("on_call_engineer", "oce"), ("team_lead", "lead"),
                                   ("engineering_manager", "em")):
            user = users.create(uow, username=username, role="responder")
            people_service.add_contact_method(uow, user=user, kind="webhook",
                                              address=f"{hooks.url}/{username}", secret=SECRET)
            positions.bind(uow, position=position, targets=[TargetSpec(user=username)])
    for number in range(INCIDENTS):
        with fleet.unit() as uow:
            incidents.declare(uow, declaration=incidents.Declaration(
                type="service_outage", severity="sev3", title=f"outage {number}"))


def expected_keys(fleet: Fleet) -> set[str]:
    with fleet.database.read() as session:
        return set(session.scalars(select(OutboxMessage.key)
                                   .where(OutboxMessage.kind == "page")))


def wait_until(check: Callable[[], Any], what: str, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def settle(fleet: Fleet, hooks: Hooks, path: str) -> None:
    """Wait until every page to ``path`` arrived and nothing is left to send."""
    wait_until(lambda: len(set(hooks.keys(path))) >= INCIDENTS, f"{INCIDENTS} pages to {path}")
    wait_until(lambda: not ({"pending", "sending"} & set(fleet.statuses())),
               "the outbox to drain")


def test_two_workers_send_every_page_exactly_once(fleet):
    hooks = Hooks()
    try:
        organise(fleet, hooks)
        fleet.spawn("worker-a")
        fleet.spawn("worker-b")
        for minute, who in STEPS:
            fleet.move_to(minute)
            settle(fleet, hooks, f"/{who}")
        keys = hooks.keys()
        assert len(keys) == len(set(keys)) == INCIDENTS * len(STEPS)  # none twice
        assert set(keys) == expected_keys(fleet)                      # none missed
        first = hooks.requests[0]
        assert signing.verify(SECRET, message_id=first["headers"]["webhook-id"],
                              timestamp=int(first["headers"]["webhook-timestamp"]),
                              body=first["body"], header=first["headers"]["webhook-signature"])
        with fleet.database.read() as session:
            paged = Counter(session.execute(select(Page.incident_id, Page.step_index)).all())
        assert len(paged) == INCIDENTS * len(STEPS) and set(paged.values()) == {1}
    finally:
        hooks.close()


def test_a_worker_killed_mid_escalation_is_replaced_and_no_page_is_lost(fleet):
    hooks = Hooks(delay=0.15)
    try:
        organise(fleet, hooks)
        first = fleet.spawn("worker-a")
        settle(fleet, hooks, "/oce")
        fleet.move_to(15)  # the team lead's step falls due for every incident
        wait_until(lambda: hooks.keys("/lead"), "the first team-lead page")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        with fleet.database.read() as session:
            in_flight = set(session.scalars(select(OutboxMessage.key)
                                            .where(OutboxMessage.status == "sending")))
        assert len(set(hooks.keys("/lead"))) < INCIDENTS, "killed too late to prove anything"
        fleet.spawn("worker-b")
        fleet.move_to(17)  # past the dead worker's 60 s lease on what it had claimed
        settle(fleet, hooks, "/lead")
        fleet.move_to(60)
        settle(fleet, hooks, "/em")
        keys = hooks.keys()
        assert set(keys) == expected_keys(fleet)                      # every page arrived
        assert len(set(keys)) == INCIDENTS * len(STEPS)
        repeated = {key for key, count in Counter(keys).items() if count > 1}
        # At-least-once delivery: only a page the dead worker may already have sent
        # (claimed, not yet recorded) is sent again, with the same idempotency key.
        assert repeated <= in_flight
        with fleet.database.read() as session:
            paged = Counter(session.execute(select(Page.incident_id, Page.step_index)).all())
        assert set(paged.values()) == {1}  # each escalation step fired exactly once
    finally:
        hooks.close()
