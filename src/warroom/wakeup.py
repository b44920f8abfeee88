"""Wake the worker as soon as new work is committed.

In one process the API sets a threading event after commit. Across processes
on PostgreSQL, ``NOTIFY`` inside the same transaction is delivered exactly at
commit to every worker that ``LISTEN``s. A fallback poll covers anything else.
"""

from __future__ import annotations

import threading

from sqlalchemy import text

from warroom.db import UnitOfWork

CHANNEL = "warroom_work"
local_event = threading.Event()


def notify(uow: UnitOfWork) -> None:
    """Call from any service that creates work due now (a page, a timer)."""
    if uow.memo("wakeup.sent", False):
        return
    uow._memo["wakeup.sent"] = True
    if not uow.is_sqlite:
        uow.session.execute(text(f"NOTIFY {CHANNEL}"))
    uow.after_commit(local_event.set)
