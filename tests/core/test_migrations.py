"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from typer.testing import CliRunner

from warroom import config
from warroom.cli import app as cli_app
from warroom.db import Base, Database, set_database


def test_models_and_migrations_agree(database):
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    database = Database(f"sqlite:///{tmp_path}/fresh.db")
    with database.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    database.dispose()


def test_migrate_says_what_it_created_on_a_new_database(tmp_path, monkeypatch):
    monkeypatch.setenv("WARROOM_DATABASE_URL", f"sqlite:///{tmp_path}/new.db")
    monkeypatch.setenv("WARROOM_SECRET_KEY", "test-secret-key-not-for-production")
    monkeypatch.setenv("WARROOM_DATA_DIR", str(tmp_path / "var"))
    config.reset()
    set_database(None)
    try:
        first = CliRunner().invoke(cli_app, ["migrate"])
        assert first.exit_code == 0, first.output
        assert "created a new database" in first.output
        assert f"{tmp_path}/new.db" in first.output
        assert "tables" in first.output and "incidents" in first.output
        again = CliRunner().invoke(cli_app, ["migrate"])
        assert again.exit_code == 0, again.output
        assert "created" not in again.output and "up to date" in again.output
    finally:
        set_database(None)
        config.reset()
