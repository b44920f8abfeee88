"""The drills worker cycles: fire due injects; remind of coming and missing drills.

Each runs under the worker's advisory lock per cycle; injects are also
claimed with ``SKIP LOCKED``, so several workers never fire one twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.drills import schedule, service

if TYPE_CHECKING:
    from datetime import datetime

    from warroom.db import UnitOfWork


def fire_injects(uow: UnitOfWork) -> datetime | None:
    return service.fire_due(uow)


def remind(uow: UnitOfWork) -> datetime | None:
    return schedule.remind(uow)


CYCLES = [("drills.injects", fire_injects), ("drills.reminders", remind)]
