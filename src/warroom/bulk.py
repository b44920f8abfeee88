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
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Connection

if TYPE_CHECKING:
    from sqlalchemy.engine import Dialect
    from sqlalchemy.sql.dml import UpdateBase

Converter = Callable[[Any], Any]


def execute_many(connection: Connection, statement: UpdateBase,
                 rows: Sequence[Mapping[str, Any]]) -> None:
    """Run ``statement`` once per row. Every row has the same keys, and names
    every parameter of the statement (column defaults are not filled in)."""
    if not rows:
        return
    dialect = connection.dialect
    if dialect.name != "sqlite":
        connection.execute(statement, list(rows))
        return
    sql, names, conversions = _compiled(statement, tuple(rows[0]), dialect)
    pick = itemgetter(*names)
    memos: list[dict[Any, Any] | None] = [{} if c.repeats else None for c in conversions]
    values: list[tuple[Any, ...]] = []
    for row in rows:
        picked = pick(row)
        if not conversions:
            values.append(picked if len(names) > 1 else (picked,))
            continue
        converted = list(picked) if len(names) > 1 else [picked]
        for conversion, memo in zip(conversions, memos, strict=True):
            value = converted[conversion.index]
            if memo is None:
                converted[conversion.index] = conversion.convert(value)
                continue
            known = memo.get(value, _MISSING)
            if known is _MISSING:
                known = memo[value] = conversion.convert(value)
            converted[conversion.index] = known
        values.append(tuple(converted))
    connection.exec_driver_sql(sql, values)


_MISSING = object()


@dataclass(frozen=True)
class _Conversion:
    index: int
    """Which parameter of the statement."""
    convert: Converter
    """SQLAlchemy's processor for its values."""
    repeats: bool
    """Whether values are hashable and worth converting once per batch (not JSON)."""


@lru_cache(maxsize=64)
def _compiled(statement: UpdateBase, keys: tuple[str, ...], dialect: Dialect
              ) -> tuple[str, list[str], list[_Conversion]]:
    """The statement's SQL text, its parameters in order, and the conversions
    of those the driver cannot take as they are."""
    compiled = statement.compile(dialect=dialect, column_keys=list(keys))
    names = list(compiled.positiontup or [])
    conversions = []
    for index, name in enumerate(names):
        if name not in keys:
            raise KeyError(f"rows for {compiled} lack the parameter {name!r}")
        kind = compiled.binds[name].type
        convert = kind._cached_bind_processor(dialect)
        if convert is not None:
            conversions.append(_Conversion(index, convert, not isinstance(kind, JSON)))
    return str(compiled), names, conversions
