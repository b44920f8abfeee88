"""The worker's intake cycles: alerts held by silences that have ended are
placed again, and (when configured) Prometheus is polled for alerts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.intake import poller, service, silences

if TYPE_CHECKING:
    from datetime import datetime

    from warroom.db import UnitOfWork


def lift_silences(uow: UnitOfWork) -> datetime | None:
    """Place the still-firing alerts of every silence that has ended; the next
    run is due when the next silence ends."""
    service.lift_ended_silences(uow)
    return silences.next_end(uow.session)


CYCLES = [("intake.silences", lift_silences), ("intake.prometheus", poller.poll)]
