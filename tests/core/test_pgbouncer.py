"""warroom behind PgBouncer in transaction mode: migrations, an incident
and the outbox delivered by the worker all go through it
(WARROOM_DB_PGBOUNCER turns off server-side prepared statements), while the
worker's LISTEN connection goes to PostgreSQL directly
(WARROOM_DB_LISTEN_URL), because a subscription lives in a session."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import psycopg
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from tests.conftest import ON_POSTGRESQL
from tests.support.databases import scratch_database
from tests.support.pgbouncer import Bouncer, pgbouncer
from warroom import config, registry, wakeup
from warroom.db import SYSTEM, Database, get_database, migrate, set_database
from warroom.incidents import service as incidents
from warroom.incidents.models import Incident
from warroom.notify import service as notify
from warroom.notify.service import Outgoing
from warroom.worker import Worker

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture
def bouncer() -> Iterator[Bouncer]:
    with pgbouncer(os.environ["WARROOM_TEST_PG_URL"]) as started:
        yield started


@pytest.fixture
def empty_database(database_url: str) -> Iterator[str]:
    """A new, empty database on the test cluster (migrated through PgBouncer)."""
    with scratch_database(database_url, "bounced") as url:
        yield url


@ON_POSTGRESQL
def test_migrate_declare_and_deliver_through_pgbouncer_in_transaction_mode(
        backend, settings, empty_database, bouncer, receiver, clock, monkeypatch):
    monkeypatch.setenv("WARROOM_DATABASE_URL", bouncer.url_for(empty_database))
    monkeypatch.setenv("WARROOM_DB_PGBOUNCER", "true")
    monkeypatch.setenv("WARROOM_DB_LISTEN_URL", empty_database)
    config.reset()
    registry.connect_all()
    set_database(None)
    database = get_database()
    try:
        assert database.pgbouncer and database.listen_url == empty_database
        assert f":{bouncer.port}/" in str(database.engine.url)
        migrate(database)
        with database.engine.connect() as conn:  # really through PgBouncer
            assert conn.scalar(text("SELECT inet_server_port()")) != bouncer.port

        with psycopg.connect(make_url(empty_database).set(drivername="postgresql")
                             .render_as_string(hide_password=False),
                             autocommit=True) as listener:
            listener.execute(f"LISTEN {wakeup.CHANNEL}")
            for n in range(12):  # more than psycopg's prepare threshold of 5
                with database.unit_of_work(SYSTEM, clock=clock) as uow:
                    incidents.declare(uow, declaration=incidents.Declaration(
                        type="service_outage", severity="sev2", title=f"outage {n}"))
                    notify.enqueue(uow, message=Outgoing(
                        channel="webhook", destination=receiver.url + "/hook", kind="test",
                        payload={"n": n}, key=f"bounced:{n}"))
                    wakeup.notify(uow)
            woken = list(listener.notifies(timeout=5.0, stop_after=1))
        assert woken and {n.channel for n in woken} == {wakeup.CHANNEL}

        worker = Worker(database, config.get_settings(), clock, name="bounced-worker")
        try:
            delivered = 0
            for _ in range(3):
                delivered += worker.run_once().delivered
        finally:
            worker.close()
        assert delivered == 12
        assert sorted(r.json()["n"] for r in receiver.requests) == list(range(12))
        with database.read() as session:
            assert session.scalar(select(func.count()).select_from(Incident)) == 12
    finally:
        set_database(None)
        database.dispose()


@ON_POSTGRESQL
@pytest.mark.parametrize("prepared_off", [True, False])
def test_prepared_statements_are_what_transaction_pooling_breaks(backend, database_url,
                                                                 prepared_off):
    """Two pooled connections sharing PgBouncer's one server connection: each
    prepares its statements after psycopg's threshold of 5 executions under
    the same names, so without WARROOM_DB_PGBOUNCER the second is refused."""
    with pgbouncer(os.environ["WARROOM_TEST_PG_URL"], pool_size=1) as single:
        database = Database(single.url_for(database_url), pool_size=2, pgbouncer=prepared_off)
        try:
            first, second = database.engine.connect(), database.engine.connect()

            def alternate() -> None:
                for n in range(8):
                    for conn in (first, second):
                        assert conn.scalar(text("SELECT :n + 1"), {"n": n}) == n + 1
                        conn.commit()  # ends the transaction: the server connection moves

            if prepared_off:
                alternate()
            else:
                with pytest.raises(Exception, match="prepared statement"):
                    alternate()
            first.close()
            second.close()
        finally:
            database.dispose()
