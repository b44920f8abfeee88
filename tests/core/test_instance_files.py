"""The files an instance keeps its data and keys in are readable by their
owner only, and a scaled-out instance refuses to invent a key per process."""

from __future__ import annotations

import os
import sqlite3
import stat
from typing import TYPE_CHECKING

import pytest
from typer.testing import CliRunner

from warroom import config
from warroom.cli import app
from warroom.db import get_database, set_database

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@pytest.fixture
def fresh_instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Environment for an instance that has never run, under a permissive umask."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WARROOM_DATABASE_URL", f"sqlite:///{tmp_path}/data/warroom.db")
    monkeypatch.setenv("WARROOM_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("WARROOM_SECRET_KEY", raising=False)
    monkeypatch.delenv("WARROOM_SECRET_KEY_FILE", raising=False)
    previous = os.umask(0o022)
    config.reset()
    set_database(None)
    try:
        yield tmp_path
    finally:
        os.umask(previous)
        database = get_database() if config.get_settings().is_sqlite else None
        if database is not None:
            database.dispose()
        set_database(None)
        config.reset()


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_migrate_creates_the_database_its_wal_and_the_key_owner_only(fresh_instance: Path):
    result = CliRunner().invoke(app, ["migrate"])
    assert result.exit_code == 0, result.output
    database = fresh_instance / "data" / "warroom.db"
    key = fresh_instance / "var" / "secret.key"
    assert mode(database) == 0o600
    assert mode(key) == 0o600
    connection = sqlite3.connect(database)
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE scratch (n INTEGER)")
        connection.execute("INSERT INTO scratch VALUES (1)")
        connection.commit()
        wal = database.with_name("warroom.db-wal")
        assert wal.exists()
        assert mode(wal) == 0o600
    finally:
        connection.close()


def test_postgresql_without_a_shared_key_refuses_to_start(fresh_instance: Path,
                                                          monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("WARROOM_DATABASE_URL", "postgresql+psycopg://warroom@127.0.0.1:1/none")
    config.reset()
    result = CliRunner().invoke(app, ["worker"])
    assert result.exit_code == 1
    assert "WARROOM_SECRET_KEY" in result.output
    assert "process" in result.output
    assert not (fresh_instance / "var" / "secret.key").exists()


def test_postgresql_with_a_shared_key_file_uses_it(fresh_instance: Path,
                                                   monkeypatch: pytest.MonkeyPatch):
    shared = fresh_instance / "shared.key"
    shared.write_text("a-key-every-process-reads\n")
    monkeypatch.setenv("WARROOM_DATABASE_URL", "postgresql+psycopg://warroom@127.0.0.1:1/none")
    monkeypatch.setenv("WARROOM_SECRET_KEY_FILE", str(shared))
    config.reset()
    settings = config.get_settings()
    settings.require_shared_key()
    assert settings.secret_bytes() == b"a-key-every-process-reads"
