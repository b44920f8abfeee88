"""The compliance worker cycle: deadline reminders, overdue escalation and
reminders of an unacknowledged DPO notice."""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.compliance import clocks, notices

if TYPE_CHECKING:
    from datetime import datetime

    from warroom.db import UnitOfWork


def run_clocks(uow: UnitOfWork) -> datetime | None:
    dues = [clocks.remind(uow), notices.remind_unacknowledged(uow)]
    known = [due for due in dues if due is not None]
    return min(known) if known else None


CYCLES = [("compliance.clocks", run_clocks)]
