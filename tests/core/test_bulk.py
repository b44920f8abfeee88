"""Bulk writes store exactly what SQLAlchemy's ordinary executemany stores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    insert,
    text,
    update,
)
from sqlalchemy.exc import StatementError

from warroom.bulk import execute_many
from warroom.db import Database, UTCDateTime

METADATA = MetaData()
SAMPLES = Table("bulk_samples", METADATA, Column("id", Integer, primary_key=True),
                Column("name", String(60)), Column("at", UTCDateTime()),
                Column("maybe_at", UTCDateTime(), nullable=True), Column("data", JSON),
                Column("other", JSON, nullable=True))
MOMENT = datetime(2026, 1, 5, 11, 58, 0, 123456, tzinfo=UTC)


def _rows(offset: int) -> list[dict[str, Any]]:
    east = timezone(timedelta(hours=2))
    return [
        {"id": offset + 1, "name": "plain", "at": MOMENT, "maybe_at": None,
         "data": {"labels": {"a": "1"}}, "other": None},
        {"id": offset + 2, "name": "same moment, another zone", "at": MOMENT.astimezone(east),
         "maybe_at": MOMENT + timedelta(seconds=1), "data": [1, "two", None],
         "other": {"x": True}},
        {"id": offset + 3, "name": "whole second", "at": MOMENT.replace(microsecond=0),
         "maybe_at": MOMENT, "data": {}, "other": None},
    ]


def _stored(database: Database, ids: range) -> list[tuple[Any, ...]]:
    """What the database holds, as raw text/values (no result processing)."""
    with database.engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT name, CAST(at AS TEXT), CAST(maybe_at AS TEXT), CAST(data AS TEXT), "
            "CAST(other AS TEXT) FROM bulk_samples WHERE id BETWEEN :low AND :high ORDER BY id"),
            {"low": ids.start, "high": ids.stop - 1})
        return [tuple(row) for row in rows]


@pytest.fixture
def samples(database: Database) -> Database:
    METADATA.create_all(database.engine)
    return database


def test_inserts_store_the_same_bytes_as_sqlalchemy(samples: Database) -> None:
    with samples.engine.begin() as connection:
        connection.execute(insert(SAMPLES), _rows(0))
        execute_many(connection, insert(SAMPLES), _rows(10))
    ordinary, bulk = _stored(samples, range(1, 4)), _stored(samples, range(11, 14))
    assert bulk == ordinary
    assert len(bulk) == 3
    # the two spellings of one moment are stored as one UTC value
    assert bulk[0][1] == bulk[1][1]


def test_updates_store_the_same_bytes_as_sqlalchemy(samples: Database) -> None:
    statement = update(SAMPLES).where(SAMPLES.c.id == bindparam("row_id")).values(
        at=bindparam("moment"), data=bindparam("payload"))
    changes = [{"row_id": 1, "moment": MOMENT + timedelta(days=1), "payload": {"n": 1}},
               {"row_id": 2, "moment": MOMENT + timedelta(days=1), "payload": None}]
    with samples.engine.begin() as connection:
        connection.execute(insert(SAMPLES), _rows(0))
        execute_many(connection, insert(SAMPLES), _rows(10))
        connection.execute(statement, changes)
        execute_many(connection, statement, [{**c, "row_id": c["row_id"] + 10} for c in changes])
    assert _stored(samples, range(11, 14)) == _stored(samples, range(1, 4))


def test_nothing_to_write_runs_nothing(samples: Database) -> None:
    with samples.engine.begin() as connection:
        execute_many(connection, insert(SAMPLES), [])
        assert connection.execute(text("SELECT count(*) FROM bulk_samples")).scalar() == 0


def test_rows_must_name_every_parameter(samples: Database) -> None:
    """Column defaults are not filled in: a missing value is an error naming it
    (on PostgreSQL, SQLAlchemy's own error on the ordinary path)."""
    statement = update(SAMPLES).where(SAMPLES.c.id == bindparam("row_id")).values(
        name=bindparam("label"))
    missing = pytest.raises((KeyError, StatementError), match="label")
    with samples.engine.begin() as connection, missing:
        execute_many(connection, statement, [{"row_id": 1}])
