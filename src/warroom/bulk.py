"""Many rows through one statement, with each distinct value converted once.

SQLAlchemy converts every parameter of every row of an executemany on its own
(for SQLite, a timezone-aware datetime goes through two processors into text),
and that bookkeeping costs more than SQLite's own insert. Alert intake writes
thousands of rows a second whose datetimes are mostly the same few moments
(the transaction's ``now``, the alerts' start). So on SQLite this runs the
statement's compiled SQL straight on the driver, converting values with
SQLAlchemy's own processors (what is stored is byte for byte the same) and
converting each distinct datetime of the batch once. On PostgreSQL the
ordinary path is already set-based (insertmanyvalues), so it is used as is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.expression import Executable

Converter = Callable[[Any], Any]


def execute_many(connection: Connection, statement: Executable,
                 rows: Sequence[Mapping[str, Any]]) -> None:
    """Run ``statement`` once per row. Every row has the same keys, and names
    every parameter of the statement (column defaults are not filled in)."""
    if not rows:
        return
    dialect = connection.dialect
    if dialect.name != "sqlite":
        connection.execute(statement, list(rows))
        return
    sql, parameters = _compiled(statement, tuple(rows[0]), dialect)
    memos: list[dict[Any, Any] | None] = [{} if p.repeats else None for p in parameters]
    values: list[tuple[Any, ...]] = []
    for row in rows:
        converted = []
        for parameter, memo in zip(parameters, memos, strict=True):
            value = row[parameter.name]
            if parameter.convert is not None:
                if memo is None:
                    value = parameter.convert(value)
                else:
                    known = memo.get(value, _MISSING)
                    if known is _MISSING:
                        known = memo[value] = parameter.convert(value)
                    value = known
            converted.append(value)
        values.append(tuple(converted))
    connection.exec_driver_sql(sql, values)


_MISSING = object()


@dataclass(frozen=True)
class _Parameter:
    name: str
    convert: Converter | None
    """SQLAlchemy's processor for the value (None: the driver takes it as it is)."""
    repeats: bool
    """Whether values are hashable and worth converting once per batch (not JSON)."""


@lru_cache(maxsize=64)
def _compiled(statement: Executable, keys: tuple[str, ...], dialect: Dialect
              ) -> tuple[str, list[_Parameter]]:
    """The statement's SQL text and its parameters, in order."""
    compiled = statement.compile(dialect=dialect, column_keys=list(keys))
    parameters = []
    for name in compiled.positiontup or []:
        if name not in keys:
            raise KeyError(f"rows for {compiled} lack the parameter {name!r}")
        kind = compiled.binds[name].type
        parameters.append(_Parameter(name, kind._cached_bind_processor(dialect),
                                     not isinstance(kind, JSON)))
    return str(compiled), parameters
