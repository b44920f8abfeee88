"""The reviews worker cycle: remind action-item owners."""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.reviews import items

if TYPE_CHECKING:
    from datetime import datetime

    from warroom.db import UnitOfWork


def remind(uow: UnitOfWork) -> datetime | None:
    return items.remind_due(uow)


CYCLES = [("reviews.reminders", remind)]
