"""Group commit for the receivers.

A busy receiver spends most of a request on what every transaction pays once:
opening it, reading the switches, sealing the audit chain, committing. So the
receivers hand their parsed deliveries to one :class:`Batcher` per process,
which takes every delivery waiting at that moment and stores them together in
one unit of work (one per sender and address, since the unit of work records
who acted). Each request still answers only after its own alerts committed,
and each keeps its own report and audit entry.

Under light load a batch is one request, so nothing waits for company; under
heavy load batches grow by themselves, because requests arrive while the
previous batch is being written. If a batch fails for any reason other than
the database being unavailable, its deliveries are retried one by one, so one
bad delivery cannot fail the others.

On PostgreSQL a batch is written in a thread, so the event loop keeps
reading requests (and answering reads) meanwhile; the hop costs once per
batch, not once per request. PostgreSQL takes up to ``PG_WRITERS`` batches at
once, so their round trips overlap (group rows are locked in key order, so
concurrent batches that share a group queue instead of deadlocking).

SQLite has one writer, and its statements are quick local calls, so there a
batch is written on the event loop itself whenever no other writer in the
process (the worker) holds the write lock: a thread would only add the hop and
hand the interpreter lock back and forth with the loop for every batch (the
intake benchmark stores about 30% more alerts a second this way). When the
lock is taken, the batch waits for it in a thread instead, so a long worker
transaction never stops the loop. A writer in another process (a CLI command)
holds SQLite's own lock instead; a batch waits for it like any writer, and the
loop with it, for at most the busy timeout.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from anyio import to_thread

from warroom.db import unavailable
from warroom.intake.pipeline import receive
from warroom.intake.pipeline.delivery import Delivery, Report

if TYPE_CHECKING:
    from warroom.clock import Clock
    from warroom.db import Actor, Database

PG_WRITERS = 4


@dataclass
class Submission:
    delivery: Delivery
    actor: Actor
    source_ip: str | None
    future: asyncio.Future[Report]
    outcome: Report | BaseException | None = None


class Batcher:
    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock
        self.waiting: list[Submission] = []
        self.writers = 1 if database.is_sqlite else PG_WRITERS
        self.draining = 0
        self._tasks: set[asyncio.Task[None]] = set()

    async def submit(self, delivery: Delivery, *, actor: Actor,
                     source_ip: str | None) -> Report:
        """Store the delivery with whatever else is waiting; return its report
        once committed (or raise what storing it raised)."""
        loop = asyncio.get_running_loop()
        submission = Submission(delivery, actor, source_ip, loop.create_future())
        self.waiting.append(submission)
        if self.draining < self.writers:
            self.draining += 1
            task = loop.create_task(self._drain())
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return await submission.future

    async def _drain(self) -> None:
        try:
            await asyncio.sleep(0)  # requests already being parsed join the first batch
            while self.waiting:
                batch, self.waiting = self.waiting, []
                if not self._store_here(batch):
                    await to_thread.run_sync(self.store, batch)
                for submission in batch:
                    _settle(submission)
                await asyncio.sleep(0)
        finally:
            self.draining -= 1

    def _store_here(self, batch: list[Submission]) -> bool:
        """Write the batch on this thread if this is SQLite and no other writer in
        the process holds the write lock; False (nothing done) otherwise."""
        if not self.database.is_sqlite or not self.database.write_lock.acquire(blocking=False):
            return False
        try:
            self.store(batch)
        finally:
            self.database.write_lock.release()
        return True

    def store(self, batch: list[Submission]) -> None:
        """Write the batch, one unit of work per (sender, address)."""
        senders: dict[tuple[Actor, str | None], list[Submission]] = defaultdict(list)
        for submission in batch:
            senders[(submission.actor, submission.source_ip)].append(submission)
        for (actor, source_ip), group in senders.items():
            try:
                self._commit(actor, source_ip, group)
            except Exception as failed:
                if unavailable(failed) or len(group) == 1:
                    # no database to take it: trying each alone would only wait longer
                    for submission in group:
                        submission.outcome = failed
                    continue
                for submission in group:
                    self._alone(submission)

    def _commit(self, actor: Actor, source_ip: str | None, group: list[Submission]) -> None:
        with self.database.unit_of_work(actor, source_ip=source_ip, clock=self.clock) as uow:
            reports = receive.receive_all(uow, deliveries=[s.delivery for s in group])
        for submission, report in zip(group, reports, strict=True):
            submission.outcome = report

    def _alone(self, submission: Submission) -> None:
        submission.delivery.report = Report()
        try:
            self._commit(submission.actor, submission.source_ip, [submission])
        except Exception as failed:
            submission.outcome = failed


def batcher_for(state: Any) -> Batcher:
    """The app's batcher, created on first use."""
    batcher = getattr(state, "intake_batcher", None)
    if batcher is None:
        batcher = Batcher(state.database, state.clock)
        state.intake_batcher = batcher
    return batcher


def _settle(submission: Submission) -> None:
    future, outcome = submission.future, submission.outcome
    if future.done():
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    elif outcome is None:
        future.set_exception(RuntimeError("the delivery was not stored"))
    else:
        future.set_result(outcome)
