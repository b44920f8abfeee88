"""The one intake_state row: the monitoring switch, and generation counters.

Every receiving request reads this row (one primary-key lookup), which tells
it whether monitoring is paused and whether routing rules or silences changed
since this process last loaded them, so a change made through any process
(API, CLI) applies to the next alert everywhere without a restart.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from sqlalchemy import Engine, select, update

from warroom.intake.models import IntakeState

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import InstrumentedAttribute, Session

    from warroom.db import UnitOfWork

_ROW = 1


@dataclass(frozen=True)
class Switches:
    monitoring_enabled: bool = True
    monitoring_changed_at: datetime | None = None
    monitoring_changed_by: str | None = None
    rules_generation: int = 0
    silences_generation: int = 0


_TABLE = IntakeState.__table__
_READ = select(_TABLE.c.monitoring_enabled, _TABLE.c.monitoring_changed_at,
               _TABLE.c.monitoring_changed_by, _TABLE.c.rules_generation,
               _TABLE.c.silences_generation).where(_TABLE.c.id == _ROW)


def read(session: Session) -> Switches:
    row = session.connection().execute(_READ).first()
    return Switches(*row) if row is not None else Switches()


def database_key(session: Session) -> str:
    """Which database a session works on, for per-process caches (one process
    may serve several databases, as the tests do)."""
    return _url_of(session.get_bind().engine)


@lru_cache(maxsize=64)
def _url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def bump_rules(uow: UnitOfWork) -> int:
    """Tell every process to reload routing rules; returns the new generation."""
    return _bump(uow, IntakeState.rules_generation)


def bump_silences(uow: UnitOfWork) -> int:
    return _bump(uow, IntakeState.silences_generation)


def set_monitoring(uow: UnitOfWork, *, enabled: bool) -> None:
    _ensure_row(uow)
    uow.session.execute(update(IntakeState).where(IntakeState.id == _ROW).values(
        monitoring_enabled=enabled, monitoring_changed_at=uow.now(),
        monitoring_changed_by=uow.actor.label))


def _bump(uow: UnitOfWork, column: InstrumentedAttribute[int]) -> int:
    _ensure_row(uow)
    uow.session.execute(update(IntakeState).where(IntakeState.id == _ROW)
                        .values({column: column + 1}))
    return uow.session.execute(select(column).where(IntakeState.id == _ROW)).scalar_one()


def _ensure_row(uow: UnitOfWork) -> None:
    """The migration inserts the row; this only guards a hand-cleared table."""
    if uow.session.get(IntakeState, _ROW) is None:
        uow.session.add(IntakeState(id=_ROW, monitoring_enabled=True, rules_generation=0,
                                    silences_generation=0))
        uow.session.flush()
