"""SQLite is durable by default: ``synchronous=FULL`` on every connection, so
an alert answered 2xx survives a power loss, not just a process crash; an
operator may choose NORMAL, knowingly, with ``WARROOM_SQLITE_SYNCHRONOUS``."""

from __future__ import annotations

from contextlib import ExitStack
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text

from warroom import config
from warroom.db import Database, get_database, set_database

if TYPE_CHECKING:
    from pathlib import Path

FULL, NORMAL = 2, 1
"""What ``PRAGMA synchronous`` answers for each level."""


def synchronous_of_every_connection(database: Database) -> list[int]:
    """The level seen by several connections held at once (each a new one
    from the pool), by a read session and by a write unit."""
    levels = []
    with ExitStack() as held:
        for _ in range(3):
            connection = held.enter_context(database.engine.connect())
            levels.append(connection.execute(text("PRAGMA synchronous")).scalar_one())
    with database.read() as session:
        levels.append(session.execute(text("PRAGMA synchronous")).scalar_one())
    with database.unit_of_work() as uow:
        levels.append(uow.session.execute(text("PRAGMA synchronous")).scalar_one())
    return levels


def test_every_connection_syncs_each_commit_by_default(tmp_path: Path):
    database = Database(f"sqlite:///{tmp_path / 'warroom.db'}")
    try:
        assert synchronous_of_every_connection(database) == [FULL] * 5
    finally:
        database.dispose()


@pytest.mark.parametrize(("setting", "level"), [(None, FULL), ("full", FULL),
                                                ("normal", NORMAL)])
def test_the_setting_chooses_the_level(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                       setting: str | None, level: int):
    monkeypatch.setenv("WARROOM_DATABASE_URL", f"sqlite:///{tmp_path / 'warroom.db'}")
    if setting is not None:
        monkeypatch.setenv("WARROOM_SQLITE_SYNCHRONOUS", setting)
    config.reset()
    set_database(None)
    try:
        assert synchronous_of_every_connection(get_database()) == [level] * 5
    finally:
        get_database().dispose()
        set_database(None)
        config.reset()


def test_an_unknown_level_is_refused(tmp_path: Path):
    with pytest.raises(ValueError, match="full, normal"):
        Database(f"sqlite:///{tmp_path / 'warroom.db'}", sqlite_synchronous="off")
