"""Comms tests declare incidents, assign roles, run the worker and change
settings the same way the playbook tests do."""

from __future__ import annotations

import pytest

from tests.playbooks.conftest import assign, configure, declare, playbooks_dir, worker
from warroom.comms import engine

__all__ = ["assign", "configure", "declare", "playbooks_dir", "worker"]


@pytest.fixture
def remind(database, clock):
    """Run the update-cadence cycle once, as the worker would."""

    def cycle() -> None:
        with database.unit_of_work(clock=clock) as uow:
            engine.remind_missed_updates(uow)

    return cycle
