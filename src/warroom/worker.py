"""The background worker: delivers due outbox messages, runs every domain's
engine cycle, delivers what the cycles queued, then sleeps until the next due
time or until woken.

Each engine cycle (escalations, maintenance windows, playbook timers...) is a
set-based function ``cycle(uow) -> next_due | None`` that handles everything
due now in one transaction. On PostgreSQL each cycle first takes a
transaction-scoped advisory lock named after it, so with several workers one
runs a given cycle at a time and the others move on; outbox deliveries are
shared between workers with ``SKIP LOCKED``.

Each cycle runs in its own error boundary: a cycle that raises is rolled
back, logged (its error's type and where it was raised, never the message,
which may quote stored values) and counted, and the rest of the pass goes on,
so one broken cycle cannot starve the others. Every run is timed in
``warroom_worker_cycle_seconds{cycle}``; a run longer than
``WARROOM_WORKER_SLOW_CYCLE_SECONDS`` is logged as slow.

Nothing lives only in memory: a worker killed at any moment leaves rows that
the next worker (or the same one, restarted) picks up.
"""

from __future__ import annotations

import hashlib
import os
import socket
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import structlog
from prometheus_client import CollectorRegistry, Counter, Histogram
from sqlalchemy import text
from sqlalchemy.engine import make_url

from warroom import registry as domains
from warroom import wakeup
from warroom.db import SYSTEM, Database
from warroom.notify import delivery

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from warroom.clock import Clock
    from warroom.config import Settings
    from warroom.domain import EngineCycle

log = structlog.get_logger("warroom.worker")


@dataclass
class CycleReport:
    engine_runs: dict[str, int] = field(default_factory=dict)
    delivered: int = 0
    failed: int = 0
    next_due: datetime | None = None
    failed_cycles: list[str] = field(default_factory=list)


class CycleMetrics:
    """How long each engine cycle takes and how often it fails. The app passes
    its registry when the worker runs in its process, so ``/metrics`` shows them."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.seconds = Histogram("warroom_worker_cycle_seconds", "Time one engine cycle took",
                                 ["cycle"], registry=self.registry,
                                 buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30))
        self.failures = Counter("warroom_worker_cycle_failures", "Engine cycles that raised",
                                ["cycle"], registry=self.registry)


class Worker:
    def __init__(self, database: Database, settings: Settings, clock: Clock,
                 *, name: str | None = None, registry: CollectorRegistry | None = None) -> None:
        domains.connect_all()
        self.database = database
        self.settings = settings
        self.clock = clock
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.cycles = domains.engine_cycles()
        self.cycle_by_name = dict(self.cycles)
        self.urgent = sorted(domains.urgent_cycles() & set(self.cycle_by_name))
        self.metrics = CycleMetrics(registry)
        self.pool = ThreadPoolExecutor(max_workers=settings.worker_concurrency,
                                       thread_name_prefix="deliver")
        self.stop_event = threading.Event()
        self._listener: threading.Thread | None = None
        self._urgent_loop: threading.Thread | None = None
        self._wake = wakeup.local_event.subscribe()
        self._urgent_wake = wakeup.local_event.subscribe()

    def run_once(self) -> CycleReport:
        """One full pass: due messages, every engine cycle, then the messages
        the cycles made due. Delivering first means a page committed by the API
        (the first page of a new incident) does not wait behind the cycles."""
        report = CycleReport()
        self.deliver_due(report)
        dues: list[datetime | None] = []
        for name, cycle in self.cycles:
            dues.append(self._run_cycle(name, cycle, report))
        self.deliver_due(report)
        dues.append(delivery.next_due(self.database))
        report.next_due = _earliest(dues)
        return report

    def deliver_due(self, report: CycleReport | None = None) -> CycleReport:
        """Send due messages in batches until none is due now."""
        report = report or CycleReport()
        while not self.stop_event.is_set():
            with self.database.unit_of_work(SYSTEM, clock=self.clock) as uow:
                claimed = delivery.claim_due(uow, limit=self.settings.worker_batch_size,
                                             lease_seconds=self.settings.outbox_lease_seconds)
            if not claimed:
                break
            outcomes = delivery.send_all(claimed, self.settings, self.pool, self.database)
            with self.database.unit_of_work(SYSTEM, clock=self.clock) as uow:
                delivery.record(uow, outcomes, settings=self.settings, worker=self.name)
            report.delivered += sum(1 for o in outcomes if o.result.ok)
            report.failed += sum(1 for o in outcomes if not o.result.ok)
        return report

    def run_forever(self) -> None:
        """Loop until :meth:`stop`; wakes on commit, on NOTIFY or on the poll."""
        log.info("worker started", worker=self.name, cycles=[n for n, _ in self.cycles])
        if not self.database.is_sqlite:
            self._listener = threading.Thread(target=self._listen, name="worker-listen",
                                              daemon=True)
            self._listener.start()
        if self.urgent:
            # Paging in a loop of its own, so an escalation step fires on time
            # even while the main loop works through a burst (a storm's
            # reminders). Both loops may run the same cycle: on PostgreSQL its
            # advisory lock lets one run it at a time, on SQLite write units
            # queue, and each run reads what is due inside its own transaction,
            # so nothing fires twice.
            self._urgent_loop = threading.Thread(
                target=self._loop, args=(self._urgent_wake, self.run_urgent_once),
                name="worker-urgent", daemon=True)
            self._urgent_loop.start()
        self._loop(self._wake, lambda: self.run_once().next_due)
        if self._urgent_loop is not None:
            self._urgent_loop.join(timeout=10)
        log.info("worker stopped", worker=self.name)

    def run_urgent_once(self) -> datetime | None:
        """The urgent cycles (paging) and the messages they made due."""
        report = CycleReport()
        dues = [self._run_cycle(name, self.cycle_by_name[name], report) for name in self.urgent]
        self.deliver_due(report)
        return _earliest(dues)

    def _loop(self, wake: threading.Event, one_pass: Callable[[], datetime | None]) -> None:
        """Run passes until stopped, sleeping until the next due time, a
        wake-up or the poll interval, whichever comes first."""
        while not self.stop_event.is_set():
            wake.clear()
            try:
                due = one_pass()
            except Exception:
                log.exception("worker pass failed; retrying after the poll interval")
                due = None
            wait = self._seconds_until(due)
            if wait > 0:
                wake.wait(wait)

    def stop(self) -> None:
        self.stop_event.set()
        self._wake.set()
        self._urgent_wake.set()

    def close(self) -> None:
        self.stop()
        wakeup.local_event.unsubscribe(self._wake)
        wakeup.local_event.unsubscribe(self._urgent_wake)
        self.pool.shutdown(wait=False, cancel_futures=True)

    def _run_cycle(self, name: str, cycle: EngineCycle,
                   report: CycleReport) -> datetime | None:
        """One cycle in its own error boundary, timed on the worker's clock: a
        failure is rolled back, logged and counted, and the pass goes on (its
        due time unknown, the poll interval retries it)."""
        started = self.clock.now()
        try:
            return self._run_locked(name, cycle, report)
        except Exception as error:
            self.metrics.failures.labels(name).inc()
            report.failed_cycles.append(name)
            log.error("engine cycle failed", cycle=name, **_described(error))
            return None
        finally:
            self._observe(name, (self.clock.now() - started).total_seconds())

    def _observe(self, name: str, seconds: float) -> None:
        self.metrics.seconds.labels(name).observe(max(0.0, seconds))
        if seconds > self.settings.worker_slow_cycle_seconds:
            log.warning("slow engine cycle", cycle=name, seconds=round(seconds, 3),
                        threshold=self.settings.worker_slow_cycle_seconds)

    def _run_locked(self, name: str, cycle: EngineCycle,
                    report: CycleReport) -> datetime | None:
        with self.database.unit_of_work(SYSTEM, clock=self.clock) as uow:
            if not self.database.is_sqlite and not uow.session.scalar(
                    text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": _lock_key(name)}):
                return None
            due = cycle(uow)
        report.engine_runs[name] = report.engine_runs.get(name, 0) + 1
        return due

    def _seconds_until(self, due: datetime | None) -> float:
        poll = self.settings.worker_poll_seconds
        if due is None:
            return poll
        return max(0.0, min(poll, (due - self.clock.now()).total_seconds()))

    def _listen(self) -> None:
        """Turn PostgreSQL NOTIFYs into local wake-ups (reconnecting if needed)."""
        import psycopg

        # WARROOM_DB_LISTEN_URL: a subscription lives in a session, which
        # PgBouncer's transaction pooling would hand to another client.
        url = make_url(self.database.listen_url).set(drivername="postgresql")
        dsn = url.render_as_string(hide_password=False)
        while not self.stop_event.is_set():
            try:
                with psycopg.connect(dsn, autocommit=True) as conn:
                    conn.execute(f"LISTEN {wakeup.CHANNEL}")
                    while not self.stop_event.is_set():
                        for _ in conn.notifies(timeout=1.0, stop_after=1):
                            wakeup.local_event.set()
            except Exception:
                log.warning("LISTEN connection lost; reconnecting")
                time.sleep(1.0)


def _earliest(dues: list[datetime | None]) -> datetime | None:
    known = [due for due in dues if due is not None]
    return min(known) if known else None


def _described(error: BaseException) -> dict[str, str]:
    """An error as a log may show it: its type and the line that raised it.
    Not its message: a database error quotes the statement's parameters."""
    frames = traceback.extract_tb(error.__traceback__)
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
    return {"error": type(error).__name__, "raised_at": where}


def _lock_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
