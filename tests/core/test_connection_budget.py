"""The connection budget checked at start-up: the pools of every process
against what the PostgreSQL server accepts."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from structlog.testing import capture_logs
from typer.testing import CliRunner

from tests.conftest import ON_POSTGRESQL
from warroom import budget, config, db
from warroom.cli import app as cli_app
from warroom.errors import Invalid

runner = CliRunner()


def _server_limit(database: db.Database) -> int:
    with database.engine.connect() as conn:
        total = int(conn.scalar(text("SHOW max_connections")) or 0)
        reserved = int(conn.scalar(text("SHOW superuser_reserved_connections")) or 0)
    return total - reserved


@ON_POSTGRESQL
def test_the_budget_counts_pools_overflow_and_listen_against_the_server(backend, database):
    measured = budget.measure(database, processes=3, listen=1)
    assert measured is not None
    assert measured.server_limit == _server_limit(database)
    assert (measured.steady, measured.peak) == (3 * 5 + 1, 3 * (5 + db.MAX_OVERFLOW) + 1)
    assert measured.in_use >= 0


@ON_POSTGRESQL
def test_a_peak_over_the_limit_warns_and_a_steady_state_over_it_refuses(backend, database):
    limit = _server_limit(database)
    fits_only_at_rest = (limit - 1) // 5  # pools of 5: at rest they fit, at their peak not
    with capture_logs() as logs:
        checked = budget.check(database, processes=fits_only_at_rest, listen=1)
    assert checked is not None and checked.steady <= limit < checked.peak
    warned = [entry for entry in logs if entry["log_level"] == "warning"]
    assert len(warned) == 1 and "can exceed the server's max_connections" in warned[0]["event"]
    assert warned[0]["server_limit"] == limit

    with pytest.raises(Invalid, match="Not starting") as refused:
        budget.check(database, processes=limit, listen=1)
    assert f"more than the {limit} the PostgreSQL server accepts" in str(refused.value)


@ON_POSTGRESQL
def test_a_worker_whose_pool_cannot_fit_does_not_start(backend, database, monkeypatch):
    monkeypatch.setenv("WARROOM_DB_POOL_SIZE", "100000")
    config.reset()
    db.set_database(None)
    try:
        done = runner.invoke(cli_app, ["worker"])
    finally:
        created = db.get_database()
        db.set_database(None)
        created.dispose()
    assert done.exit_code == 1
    said = " ".join(done.output.split())
    assert "Not starting: 1 process(es) x WARROOM_DB_POOL_SIZE 100000 + 1 LISTEN" in said


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_sqlite_has_no_server_budget(backend, database):
    assert budget.check(database, processes=1, listen=1) is None
