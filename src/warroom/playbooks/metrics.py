"""Runner gauges for /metrics: steps by status, overdue steps and unpassed gates
of open incidents (so an alert can fire when responders fall behind)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import func, select

from warroom import clock
from warroom.incidents import service as incidents
from warroom.playbooks.models import StepRun
from warroom.playbooks.service import DONE

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.orm import Session


def collect(session: Session) -> Iterator[Metric]:
    of_open = StepRun.incident_id.in_(incidents.ids_outside_phases(["closed"]))
    open_steps = select(StepRun.status, func.count()).where(of_open)
    by_status = GaugeMetricFamily("warroom_playbook_steps",
                                  "Playbook steps of open incidents by status",
                                  labels=["status"])
    for status, count in session.execute(open_steps.group_by(StepRun.status)):
        by_status.add_metric([status], count)
    yield by_status
    overdue = session.scalar(select(func.count()).select_from(StepRun).where(
        of_open, StepRun.status.not_in(DONE),
        StepRun.due_by <= clock.now())) or 0
    yield GaugeMetricFamily("warroom_playbook_steps_overdue",
                            "Playbook steps of open incidents past their due time",
                            value=overdue)
    unresolved = incidents.ids_outside_phases(["lessons_learned", "closed"])
    gates = session.scalar(select(func.count()).select_from(StepRun).where(
        StepRun.incident_id.in_(unresolved), StepRun.gate.is_(True),
        StepRun.status != "succeeded", StepRun.overridden_at.is_(None))) or 0
    yield GaugeMetricFamily("warroom_playbook_gates_unpassed",
                            "Gates of unresolved incidents that have not passed yet",
                            value=gates)
