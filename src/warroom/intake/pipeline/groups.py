"""Alert group rows: created on first use, locked while a batch places alerts.

Groups are read and written with plain SQL statements (no ORM objects) because
every receiving request touches them. Locking differs per database:

- PostgreSQL: insert every missing key (``ON CONFLICT DO NOTHING``), then
  ``SELECT ... FOR UPDATE`` all keys, both in key order. Two requests that
  share groups take the same locks in the same order, so they queue rather
  than deadlock, and the second sees the incident the first opened.
- SQLite: one writer at a time already, so select first and insert only the
  keys that are missing (the common case needs one statement).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from warroom.intake.models import AlertGroup

if TYPE_CHECKING:
    from datetime import datetime

    from warroom.db import UnitOfWork

_TABLE = AlertGroup.__table__
_COLUMNS = (_TABLE.c.id, _TABLE.c.key, _TABLE.c.rule, _TABLE.c.labels, _TABLE.c.incident_id,
            _TABLE.c.refires, _TABLE.c.flapping_since)
_SELECT = select(*_COLUMNS).where(_TABLE.c.key.in_(bindparam("keys", expanding=True))) \
    .order_by(_TABLE.c.key)
_SELECT_LOCKED = _SELECT.with_for_update()
_INSERT_SQLITE = sqlite_insert(_TABLE).on_conflict_do_nothing(index_elements=["key"])
_INSERT_PG = pg_insert(_TABLE).on_conflict_do_nothing(index_elements=["key"])
_UPDATE = update(_TABLE).where(_TABLE.c.id == bindparam("group_id")).values(
    incident_id=bindparam("incident_id"), refires=bindparam("refires"),
    flapping_since=bindparam("flapping_since"), updated_at=bindparam("updated_at"))


@dataclass
class Group:
    id: int
    key: str
    rule: str
    labels: dict[str, Any]
    incident_id: int | None
    refires: list[str]
    flapping_since: datetime | None
    changed: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class Wanted:
    """A group a batch needs: its key, its rule and its label values."""

    key: str
    rule: str
    labels: dict[str, str]


def lock(uow: UnitOfWork, wanted: dict[str, Wanted]) -> dict[str, Group]:
    """The batch's groups, created if missing and locked until commit."""
    if not wanted:
        return {}
    keys = sorted(wanted)
    if uow.is_sqlite:
        found = _select(uow, keys, locked=False)
        missing = [key for key in keys if key not in found]
        if missing:
            _insert(uow, [wanted[key] for key in missing])
            found.update(_select(uow, missing, locked=False))
        return found
    _insert(uow, [wanted[key] for key in keys])
    return _select(uow, keys, locked=True)


def save(uow: UnitOfWork, groups: dict[str, Group]) -> None:
    """Write back the groups placement changed, in one executemany."""
    changed = [{"group_id": g.id, "incident_id": g.incident_id, "refires": g.refires,
                "flapping_since": g.flapping_since, "updated_at": uow.now()}
               for g in groups.values() if g.changed]
    if changed:
        uow.session.connection().execute(_UPDATE, changed)


def _select(uow: UnitOfWork, keys: list[str], *, locked: bool) -> dict[str, Group]:
    statement = _SELECT_LOCKED if locked else _SELECT
    rows = uow.session.connection().execute(statement, {"keys": keys})
    return {row.key: Group(row.id, row.key, row.rule, row.labels or {}, row.incident_id,
                           list(row.refires or []), row.flapping_since) for row in rows}


def _insert(uow: UnitOfWork, wanted: list[Wanted]) -> None:
    now = uow.now()
    statement = _INSERT_SQLITE if uow.is_sqlite else _INSERT_PG
    uow.session.connection().execute(statement, [
        {"key": w.key, "rule": w.rule, "labels": w.labels, "incident_id": None, "refires": [],
         "flapping_since": None, "created_at": now, "updated_at": now} for w in wanted])
