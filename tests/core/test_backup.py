"""``warroom backup`` and ``warroom restore``: a copy taken from a running
instance restores into an empty database with the same incidents and an
audit chain that verifies; a database that holds tables is not overwritten
by mistake."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from tests.support.databases import scratch_database
from warroom import backup, config
from warroom.audit.models import AuditEntry
from warroom.cli import app as cli_app
from warroom.db import Database, set_database
from warroom.incidents import service as incidents
from warroom.incidents.models import Incident

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

runner = CliRunner()


@pytest.fixture
def empty_target(backend: str, database_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind to restore into."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    with scratch_database(database_url, "restored") as url:
        yield url


def _counts(database: Database) -> tuple[int, int]:
    with database.read() as session:
        return (session.scalar(select(func.count()).select_from(Incident)) or 0,
                session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


def test_backup_restores_into_an_empty_database_with_a_verified_chain(
        database, work, empty_target, tmp_path, monkeypatch):
    with work() as uow:
        for n in range(3):
            incident = incidents.declare(uow, declaration=incidents.Declaration(
                type="service_outage", severity="sev2", title=f"outage {n}"))
        incidents.add_note(uow, incident=incident, text="rolled back the deploy")
    expected = _counts(database)
    assert expected[0] == 3 and expected[1] > 3

    copy = tmp_path / "backups" / "warroom.backup"
    done = runner.invoke(cli_app, ["backup", str(copy)])
    assert done.exit_code == 0, done.output
    assert f"to {copy}" in done.output
    assert os.stat(copy).st_mode & 0o777 == 0o600

    monkeypatch.setenv("WARROOM_DATABASE_URL", empty_target)
    config.reset()
    target = Database(empty_target, pool_size=2)
    set_database(target)
    try:
        restored = runner.invoke(cli_app, ["restore", str(copy)])
        assert restored.exit_code == 0, restored.output
        assert "audit chain intact" in restored.output
        assert _counts(target) == expected

        again = runner.invoke(cli_app, ["restore", str(copy)])
        assert again.exit_code == 1
        said = " ".join(again.output.split())  # the terminal wraps the sentence
        assert "is not empty" in said and "or pass --force to replace" in said
        assert _counts(target) == expected

        forced = runner.invoke(cli_app, ["restore", "--force", str(copy)])
        assert forced.exit_code == 0, forced.output
        assert "audit chain intact" in forced.output
        assert _counts(target) == expected
    finally:
        target.dispose()


def test_a_backup_of_the_other_kind_is_refused_with_a_sentence(database, database_url,
                                                                tmp_path):
    stranger = tmp_path / "stranger.backup"
    stranger.write_bytes(b"not a backup at all")
    with pytest.raises(backup.Invalid, match=r"is not an SQLite backup|is not a pg_dump"):
        backup.restore(database_url, stranger)


def test_credentials_reach_pg_dump_by_the_environment_only():
    parsed = make_url("postgresql+psycopg://alice:s3cret@db.example:6543/warroom?sslmode=require")
    env = backup.pg_environment(parsed)
    assert (env["PGHOST"], env["PGPORT"], env["PGUSER"], env["PGPASSWORD"],
            env["PGDATABASE"], env["PGSSLMODE"]) == (
        "db.example", "6543", "alice", "s3cret", "warroom", "require")


def test_a_multi_host_url_reaches_pg_dump_as_libpq_lists():
    parsed = make_url("postgresql+psycopg://alice@/warroom?host=db-a,db-b&port=5432,5433"
                      "&target_session_attrs=read-write")
    env = backup.pg_environment(parsed)
    assert (env["PGHOST"], env["PGPORT"], env["PGTARGETSESSIONATTRS"]) == (
        "db-a,db-b", "5432,5433", "read-write")
