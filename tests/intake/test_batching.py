"""Group commit: deliveries waiting together are stored in one transaction,
each keeps its own report, and one bad delivery cannot fail the others."""

from __future__ import annotations

import asyncio
import threading

import pytest
from sqlalchemy import func, select

from warroom.audit.models import AuditEntry
from warroom.db import Actor
from warroom.errors import Invalid
from warroom.intake.pipeline.batching import Batcher
from warroom.intake.pipeline.delivery import Delivery
from warroom.intake.sources.alert import IncomingAlert, fingerprint

SENDER = Actor(name="prometheus", kind="integration")


def delivery(name: str, labels: int = 1) -> Delivery:
    tags = {"alertname": name, **{f"l{n}": "x" for n in range(labels - 1)}}
    return Delivery([IncomingAlert(dedup_key=fingerprint(tags), name=name, status="firing",
                                   labels=tags, severity="sev3")], source="generic")


def submit_together(batcher: Batcher, deliveries: list[Delivery]) -> list[object]:
    async def together() -> list[object]:
        return await asyncio.gather(*(batcher.submit(d, actor=SENDER, source_ip="10.0.0.1")
                                      for d in deliveries), return_exceptions=True)

    return asyncio.run(together())


def audit_entries(database) -> int:
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)
                              .where(AuditEntry.action == "alerts.receive"))


def test_waiting_deliveries_share_one_transaction_and_keep_their_reports(database, clock):
    reports = submit_together(Batcher(database, clock),
                              [delivery("A"), delivery("B"), delivery("A")])
    assert [r.new for r in reports] == [1, 1, 0]
    assert [r.repeated for r in reports] == [0, 0, 1]
    assert reports[0].opened == ["INC-1"] and reports[2].attached == []
    assert audit_entries(database) == 1


def test_one_bad_delivery_does_not_fail_the_others(database, clock):
    # 100 labels cannot become incident labels; only this delivery may fail.
    reports = submit_together(Batcher(database, clock),
                              [delivery("Good"), delivery("Bad", labels=100), delivery("Fine")])
    assert isinstance(reports[1], Invalid)
    assert all(len(r.opened) == 1 for r in (reports[0], reports[2]))
    assert audit_entries(database) == 2  # the retried deliveries, one by one


@pytest.mark.parametrize("count", [1, 40])
def test_every_submission_gets_an_answer(database, clock, count):
    reports = submit_together(Batcher(database, clock),
                              [delivery(f"Alert{n}") for n in range(count)])
    assert all(r.received == 1 for r in reports)


class ThreadRecordingBatcher(Batcher):
    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        self.threads: list[threading.Thread] = []

    def store(self, batch: list) -> None:
        self.threads.append(threading.current_thread())
        super().store(batch)


def test_sqlite_batches_are_written_on_the_loop_and_postgresql_ones_in_a_thread(database,
                                                                                clock):
    batcher = ThreadRecordingBatcher(database, clock)
    reports = submit_together(batcher, [delivery("Here"), delivery("There")])
    assert [r.new for r in reports] == [1, 1]
    expected_main = database.is_sqlite
    assert [t is threading.main_thread() for t in batcher.threads] == [expected_main]


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_batch_waits_for_a_busy_writer_in_a_thread_while_the_loop_runs_on(database, clock):
    """Another writer in the process (the worker) holds SQLite's write lock: the
    batch waits for it off the loop, and the loop keeps serving meanwhile."""
    batcher = ThreadRecordingBatcher(database, clock)
    holding, release = threading.Event(), threading.Event()

    def worker() -> None:
        with database.unit_of_work():
            holding.set()
            release.wait(timeout=10)

    other = threading.Thread(target=worker)
    other.start()
    assert holding.wait(timeout=10)

    async def scenario() -> tuple[int, bool, object]:
        task = asyncio.create_task(batcher.submit(delivery("Busy"), actor=SENDER,
                                                  source_ip=None))
        turns = 0
        for _ in range(50):  # the loop goes on turning while the batch waits
            await asyncio.sleep(0)
            turns += 1
        waiting = not task.done()
        release.set()
        return turns, waiting, await asyncio.wait_for(task, timeout=10)

    turns, waiting, report = asyncio.run(scenario())
    other.join()
    assert turns == 50 and waiting
    assert report.new == 1
    assert batcher.threads and batcher.threads[0] is not threading.main_thread()
