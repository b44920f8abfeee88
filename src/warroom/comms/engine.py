"""The comms worker cycle: remind the communications lead of missed updates."""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.comms import cadence

if TYPE_CHECKING:
    from datetime import datetime

    from warroom.db import UnitOfWork


def remind_missed_updates(uow: UnitOfWork) -> datetime | None:
    return cadence.remind_missed(uow)


CYCLES = [("comms.cadence", remind_missed_updates)]
