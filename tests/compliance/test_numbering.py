"""Breach numbers stay unique when two breaches open at once on PostgreSQL."""

from __future__ import annotations

import threading
import time

from sqlalchemy import create_engine, text

from tests.conftest import ON_POSTGRESQL
from warroom.compliance import service
from warroom.db import Actor


@ON_POSTGRESQL  # two writers at once: SQLite has one writer at a time
def test_two_breaches_opened_at_once_get_different_numbers(database, clock, settings):
    first_open = threading.Event()
    failures: list[BaseException] = []
    refs: list[str] = []
    watcher = create_engine(settings.database_url)

    def second_is_waiting() -> bool:
        with watcher.connect() as conn:
            return bool(conn.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted")))

    def first() -> None:
        try:
            with database.unit_of_work(Actor(name="first"), clock=clock) as uow:
                refs.append(service.open_breach(uow, title="Lost laptop").ref)
                first_open.set()
                # hold the transaction open until the second one waits on it
                deadline = time.monotonic() + 20
                while not second_is_waiting() and time.monotonic() < deadline:
                    time.sleep(0.02)
        except BaseException as failed:
            first_open.set()
            failures.append(failed)

    def second() -> None:
        try:
            first_open.wait(20)
            with database.unit_of_work(Actor(name="second"), clock=clock) as uow:
                refs.append(service.open_breach(uow, title="Misdirected email").ref)
        except BaseException as failed:
            failures.append(failed)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    watcher.dispose()
    assert failures == []
    year = clock.now().year
    assert sorted(refs) == [f"BR-{year}-1", f"BR-{year}-2"]
