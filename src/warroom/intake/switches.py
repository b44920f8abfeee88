"""The one intake_state row: the monitoring switch, and generation counters.

Every receiving request reads this row (one primary-key lookup), which tells
it whether monitoring is paused and whether routing rules or silences changed
since this process last loaded them, so a change made through any process
(API, CLI) applies to the next alert everywhere without a restart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from warroom.db import UnitOfWork
from warroom.intake.models import IntakeState

_ROW = 1


@dataclass(frozen=True)
class Switches:
    monitoring_enabled: bool = True
    monitoring_changed_at: datetime | None = None
    monitoring_changed_by: str | None = None
    rules_generation: int = 0
    silences_generation: int = 0


_COLUMNS = (IntakeState.monitoring_enabled, IntakeState.monitoring_changed_at,
            IntakeState.monitoring_changed_by, IntakeState.rules_generation,
            IntakeState.silences_generation)


def read(session: Session) -> Switches:
    row = session.execute(select(*_COLUMNS).where(IntakeState.id == _ROW)).first()
    return Switches(*row) if row is not None else Switches()


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


def _bump(uow: UnitOfWork, column: object) -> int:
    _ensure_row(uow)
    uow.session.execute(update(IntakeState).where(IntakeState.id == _ROW)
                        .values({column: column + 1}))  # type: ignore[operator]
    return int(uow.session.scalar(select(column).where(IntakeState.id == _ROW)))  # type: ignore[call-overload]


def _ensure_row(uow: UnitOfWork) -> None:
    """The migration inserts the row; this only guards a hand-cleared table."""
    if uow.session.get(IntakeState, _ROW) is None:
        uow.session.add(IntakeState(id=_ROW, monitoring_enabled=True, rules_generation=0,
                                    silences_generation=0))
        uow.session.flush()
