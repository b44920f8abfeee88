"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from warroom.db import Base, Database


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


def test_migrate_says_what_it_created_on_a_new_database(tmp_path):
    env = {**os.environ, "WARROOM_DATABASE_URL": f"sqlite:///{tmp_path}/new.db",
           "WARROOM_SECRET_KEY": "test-secret-key-not-for-production",
           "WARROOM_DATA_DIR": str(tmp_path / "var")}

    def migrate() -> str:
        done = subprocess.run([sys.executable, "-c", "from warroom.cli import main; main()",
                               "migrate"], env=env,
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout

    first = migrate()
    assert f"created a new database at sqlite:///{tmp_path}/new.db" in first
    assert "tables" in first and "incidents" in first
    again = migrate()
    assert "created" not in again and "up to date" in again


def test_serve_on_a_busy_port_says_so_in_one_sentence_naming_warroom_port(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "WARROOM_DATABASE_URL": f"sqlite:///{tmp_path}/busy.db",
               "WARROOM_SECRET_KEY": "test-secret-key-not-for-production",
               "WARROOM_DATA_DIR": str(tmp_path / "var"), "WARROOM_HOST": "127.0.0.1",
               "WARROOM_PORT": str(port)}
        done = subprocess.run([sys.executable, "-c", "from warroom.cli import main; main()",
                               "serve"], env=env, capture_output=True, text=True,
                              timeout=120, check=False)
    assert done.returncode == 1
    assert "WARROOM_PORT" in done.stderr and f"127.0.0.1:{port}" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "ready at" not in done.stdout and "serving at" not in done.stdout
    assert not (tmp_path / "busy.db").exists()  # nothing created before it could serve
