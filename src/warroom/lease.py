"""A named lease in the database: one process at a time holds it.

For work that must run on exactly one node (holding Slack's Socket Mode
connection): each node tries to take the lease every cycle and works only
while it holds it. Taking is an atomic ``UPDATE ... WHERE holder = me`` (renew)
or ``WHERE expires_at < now`` (take over) (an ``INSERT`` the first time, whose primary key makes a
concurrent second insert fail), so SQLite and PostgreSQL agree without
advisory locks. Time is warroom's clock, so a test moves it past expiry.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, insert, update
from sqlalchemy.exc import IntegrityError

from warroom.db import SYSTEM, Lease

if TYPE_CHECKING:
    from warroom.clock import Clock
    from warroom.db import Database


def acquire(database: Database, clock: Clock, *, name: str, holder: str,
            seconds: float) -> bool:
    """Take or renew the lease for ``seconds``; True while ``holder`` has it."""
    now = clock.now()
    until = now + timedelta(seconds=seconds)
    with database.unit_of_work(SYSTEM, clock=clock) as uow:
        renewed = uow.session.execute(
            update(Lease).where(Lease.name == name, Lease.holder == holder)
            .values(expires_at=until).execution_options(synchronize_session=False))
        if renewed.rowcount:  # type: ignore[attr-defined]
            return True
        taken = uow.session.execute(
            update(Lease).where(Lease.name == name, Lease.expires_at < now)
            .values(holder=holder, expires_at=until, acquired_at=now)
            .execution_options(synchronize_session=False))
        if taken.rowcount:  # type: ignore[attr-defined]
            return True
        if uow.session.get(Lease, name) is not None:
            return False
    try:
        with database.unit_of_work(SYSTEM, clock=clock) as uow:
            uow.session.execute(insert(Lease).values(name=name, holder=holder,
                                                     expires_at=until, acquired_at=now))
    except IntegrityError:
        return False
    return True


renew = acquire
"""Renewing is taking again: it succeeds only for the holder or after expiry."""


def release(database: Database, clock: Clock, *, name: str, holder: str) -> None:
    """Give the lease up at once (a clean stop), so another node need not
    wait for it to expire."""
    with database.unit_of_work(SYSTEM, clock=clock) as uow:
        uow.session.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))
