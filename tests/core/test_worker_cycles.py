"""Each engine cycle runs in its own error boundary: a failing cycle is rolled
back, logged without its message and counted, and the rest of the pass goes
on; every run is timed, and a slow one is logged."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select
from structlog.testing import capture_logs

from warroom import config
from warroom.incidents.models import Incident
from warroom.worker import Worker

if TYPE_CHECKING:
    from collections.abc import Iterator
    from datetime import datetime

    from warroom.clock import FrozenClock
    from warroom.db import UnitOfWork


@pytest.fixture
def worker(database, clock) -> Iterator[Worker]:
    started = Worker(database, config.get_settings(), clock, name="test-worker")
    yield started
    started.close()


def failing(uow: UnitOfWork) -> datetime | None:
    uow.session.execute(select(Incident.id)).all()
    raise RuntimeError("password=hunter2 is what the cycle saw")


def sample(worker: Worker, name: str, cycle: str) -> float | None:
    return worker.metrics.registry.get_sample_value(name, {"cycle": cycle})


def test_a_failing_cycle_does_not_starve_the_cycles_after_it(worker, clock):
    runs: list[datetime] = []

    def counting(uow: UnitOfWork) -> datetime | None:
        runs.append(uow.clock.now())
        return None

    worker.cycles = [("failing", failing), ("counting", counting)]
    with capture_logs() as events:
        first = worker.run_once()
        clock.advance(seconds=1)
        worker.run_once()
    assert len(runs) == 2
    assert first.engine_runs == {"counting": 1} and first.failed_cycles == ["failing"]
    assert sample(worker, "warroom_worker_cycle_failures_total", "failing") == 2
    assert sample(worker, "warroom_worker_cycle_failures_total", "counting") is None
    failures = [e for e in events if e["event"] == "engine cycle failed"]
    assert [f["cycle"] for f in failures] == ["failing", "failing"]
    assert failures[0]["error"] == "RuntimeError"
    assert failures[0]["raised_at"].startswith("test_worker_cycles.py:")
    assert "hunter2" not in repr(events)


def test_every_cycle_run_is_timed_on_the_worker_clock(worker, clock: FrozenClock):
    def taking_two_seconds(uow: UnitOfWork) -> datetime | None:
        clock.advance(seconds=2)
        return None

    worker.cycles = [("slowish", taking_two_seconds), ("failing", failing)]
    worker.run_once()
    assert sample(worker, "warroom_worker_cycle_seconds_count", "slowish") == 1
    assert sample(worker, "warroom_worker_cycle_seconds_sum", "slowish") == 2.0
    assert sample(worker, "warroom_worker_cycle_seconds_count", "failing") == 1


def test_a_cycle_longer_than_the_setting_is_logged_as_slow(database, clock: FrozenClock,
                                                          monkeypatch):
    monkeypatch.setenv("WARROOM_WORKER_SLOW_CYCLE_SECONDS", "0.25")
    config.reset()
    worker = Worker(database, config.get_settings(), clock, name="test-worker")

    def quick(uow: UnitOfWork) -> datetime | None:
        clock.advance(seconds=0.25)
        return None

    def slow(uow: UnitOfWork) -> datetime | None:
        clock.advance(seconds=0.75)
        return None

    worker.cycles = [("quick", quick), ("slow", slow)]
    try:
        with capture_logs() as events:
            worker.run_once()
    finally:
        worker.close()
        monkeypatch.delenv("WARROOM_WORKER_SLOW_CYCLE_SECONDS")
        config.reset()
    slow_logs = [e for e in events if e["event"] == "slow engine cycle"]
    assert [(e["cycle"], e["seconds"]) for e in slow_logs] == [("slow", 0.75)]


def test_the_app_shows_the_cycle_metrics_of_its_worker(app, clock):
    worker = Worker(app.state.database, app.state.settings, clock,
                    registry=app.state.metrics.registry)
    try:
        worker.cycles = [("failing", failing)]
        worker.run_once()
    finally:
        worker.close()
    body, _ = app.state.metrics.render()
    assert b'warroom_worker_cycle_failures_total{cycle="failing"} 1.0' in body
    assert b'warroom_worker_cycle_seconds_count{cycle="failing"} 1.0' in body
