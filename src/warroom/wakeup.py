"""Wake the worker as soon as new work is committed.

In one process the API sets a threading event after commit. Across processes
on PostgreSQL, ``NOTIFY`` inside the same transaction is delivered exactly at
commit to every worker that ``LISTEN``s. A fallback poll covers anything else.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from sqlalchemy import text

if TYPE_CHECKING:
    from warroom.db import UnitOfWork

CHANNEL = "warroom_work"


class Broadcast:
    """Wakes every loop waiting in this process (a worker runs two: paging,
    and everything else), each on its own event so one clearing its event
    cannot swallow the other's wake-up."""

    def __init__(self) -> None:
        self._events: list[threading.Event] = []
        self._lock = threading.Lock()

    def subscribe(self) -> threading.Event:
        event = threading.Event()
        with self._lock:
            self._events.append(event)
        return event

    def unsubscribe(self, event: threading.Event) -> None:
        with self._lock:
            if event in self._events:
                self._events.remove(event)

    def set(self) -> None:
        with self._lock:
            events = list(self._events)
        for event in events:
            event.set()


local_event = Broadcast()


def notify(uow: UnitOfWork) -> None:
    """Call from any service that creates work due now (a page, a timer)."""
    if uow.memo("wakeup.sent", False):
        return
    uow._memo["wakeup.sent"] = True
    if not uow.is_sqlite:
        uow.session.execute(text(f"NOTIFY {CHANNEL}"))
    uow.after_commit(local_event.set)
