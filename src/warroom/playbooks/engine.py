"""The playbook runner's worker cycles.

``playbooks.steps`` starts what is due: timers, notifications, and the
commands, calls and queries it claims (run after this cycle's transaction
commits, see ``execution``). ``playbooks.reminders`` tells owners about overdue
steps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.playbooks import execution, reminders

if TYPE_CHECKING:
    from datetime import datetime

    from warroom.db import UnitOfWork


def run_due_steps(uow: UnitOfWork) -> datetime | None:
    execution.expire_leases(uow)
    execution.advance_waits(uow)
    execution.send_notifications(uow)
    jobs = execution.claim_due(uow)
    if jobs and uow.database is not None:
        database, clock = uow.database, uow.clock
        uow.after_commit(lambda: execution.run_jobs(database, clock, jobs))
    return execution.next_due(uow)


def remind_overdue(uow: UnitOfWork) -> datetime | None:
    return reminders.remind_overdue(uow)


CYCLES = [("playbooks.steps", run_due_steps), ("playbooks.reminders", remind_overdue)]
