"""A receiver answers 2xx only after committing; with the database gone it
answers 503 so the sender retries, and the retry stores everything once."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL
from tests.intake.conftest import am_alert, am_webhook


@contextmanager
def database_down(database):
    """Really take the database away: the SQLite file's directory entry is
    replaced by a folder; PostgreSQL refuses connections to the database."""
    database.engine.dispose()
    if database.is_sqlite:
        path = Path(make_url(database.url).database)
        files = [Path(f"{path}{suffix}") for suffix in ("", "-wal", "-shm")]
        for file in files:
            if file.exists():
                os.rename(file, f"{file}.away")
        path.mkdir()
        try:
            yield
        finally:
            database.engine.dispose()
            path.rmdir()
            for file in files:
                if Path(f"{file}.away").exists():
                    os.rename(f"{file}.away", file)
        return
    name = make_url(database.url).database
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})
    try:
        yield
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()
        database.engine.dispose()


def test_database_down_is_503_and_the_retry_stores_once(client, people, database, send):
    body = am_webhook(am_alert("WebSocketServiceDown", instance="ws-1"),
                      am_alert("WebSocketServiceDown", instance="ws-2"))
    headers = people.headers("responder")
    with database_down(database):
        answer = client.post("/api/v1/alerts/alertmanager", json=body, headers=headers)
        assert answer.status_code == 503
        assert answer.headers["retry-after"]
        assert answer.headers["content-type"].startswith("application/problem+json")
    retried = client.post("/api/v1/alerts/alertmanager", json=body, headers=headers)
    assert retried.status_code == 200, retried.text
    assert (retried.json()["new"], retried.json()["incidents_opened"]) == (2, ["INC-1"])
    assert len(send.alerts()) == 2 and len(send.incidents()) == 1


def test_a_retry_after_a_lost_answer_is_a_repeat(send):
    """The sender could not know the first delivery committed; sending it
    again changes counters only."""
    alerts = [am_alert("WebSocketMessageLoss", instance=f"ws-{n}") for n in range(3)]
    first = send.alertmanager(*alerts)
    second = send.alertmanager(*alerts)
    assert (first["new"], second["new"], second["repeated"]) == (3, 0, 3)
    assert len(send.alerts()) == 3 and len(send.incidents()) == 1
    assert len(send.timeline("INC-1", kind="alert")) == 1
