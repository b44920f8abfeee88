"""The page's own row: its identity and its change counter.

Every change to anything public calls :func:`changed`, which bumps the
version just before commit (so other API processes notice) and refreshes this
process's snapshots just after it (so the writer reads its own change).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select, update

from warroom.hooks import Hook
from warroom.statuspage.models import PageState

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.db import Database, UnitOfWork


def _after_change(database: Database) -> None: ...


after_change = Hook("statuspage.after_change", _after_change,
                    "A unit of work that changed the page committed.")


def get(session: Session) -> PageState:
    state = session.get(PageState, 1)
    if state is None:  # the migration inserts it; only a hand-emptied table lacks it
        raise RuntimeError("statuspage_state has no row: run `warroom migrate`")
    return state


def get_for_update(uow: UnitOfWork) -> PageState:
    """The page row, locked until commit (serialises maintenance mode and
    the loading of defaults across processes)."""
    state = uow.session.get(PageState, 1, with_for_update=True, populate_existing=True)
    if state is None:
        raise RuntimeError("statuspage_state has no row: run `warroom migrate`")
    return state


def version(session: Session) -> int:
    return int(session.scalar(select(PageState.version).where(PageState.id == 1)) or 0)


def changed(uow: UnitOfWork) -> None:
    """Something public changed in this unit of work (once per unit is enough)."""
    uow.before_commit("statuspage.changed", _bump)


def _bump(uow: UnitOfWork) -> None:
    uow.session.execute(update(PageState).where(PageState.id == 1)
                        .values(version=PageState.version + 1, updated_at=uow.now())
                        .execution_options(synchronize_session=False))
    database = uow.database
    if database is not None:
        uow.after_commit(lambda: _tell(database))


def _tell(database: Database) -> None:
    after_change.fire(database)
