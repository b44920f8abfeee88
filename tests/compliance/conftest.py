"""Compliance tests open breaches through the service and run the clock cycle
as the worker would."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.playbooks.conftest import assign, configure, declare, playbooks_dir, steps_of, worker
from warroom.compliance import engine, service

__all__ = ["assign", "configure", "declare", "playbooks_dir", "steps_of", "worker"]


@pytest.fixture
def cycle(database, clock):
    def run() -> None:
        with database.unit_of_work(clock=clock) as uow:
            engine.run_clocks(uow)

    return run


@pytest.fixture
def confirmed(work, clock, declare):
    """A breach on a new incident, confirmed now with the given regimes."""

    def make(regimes=("gdpr", "nis2", "dora"), classified=True, **incident) -> str:
        ref = declare(type="security_breach", severity="sev2", **incident)
        with work() as uow:
            from_incident = service.incidents.get_by_ref_or_raise(uow.session, ref=ref)
            facts = {"aware_at": clock.now(), "awareness_basis": "logs show export",
                     "regimes": list(regimes)}
            if classified:
                facts["classified_at"] = clock.now()
            return service.open_breach(uow, incident=from_incident, facts=facts).ref

    return make


HOUR = timedelta(hours=1)
