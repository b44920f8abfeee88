"""Verification gates: an incident is not resolved until its gates pass.

A step marked ``gate: true`` (typically a ``prometheus_check`` in recovery,
such as seed 000 §2.5's success rate above 0.99) must have succeeded before the
incident moves to lessons_learned (resolved) or closed. Otherwise the move is
refused with 409 naming each failing gate, unless a commander gives an
override reason: the override is audited, on the timeline, and remembered on
each gate it waved through (so closing later does not ask again).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from warroom.audit import service as audit
from warroom.errors import Conflict
from warroom.incidents import timeline
from warroom.incidents.phases import RESOLVED_PHASES, Phase
from warroom.playbooks import service
from warroom.playbooks.models import StepRun

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork
    from warroom.incidents.models import Incident


def check(uow: UnitOfWork, incident: Incident, target: Phase, *,
          override_reason: str | None) -> None:
    """``before_transition`` listener."""
    if target not in RESOLVED_PHASES:
        return
    failing = failing_gates(uow.session, incident_id=incident.id)
    if not failing:
        return
    described = [describe(step, waits_for=_waits_for(uow.session, incident, step))
                 for step in failing]
    if not (override_reason or "").strip():
        raise Conflict(
            f"{incident.ref} cannot move to {target.value}: {len(failing)} gate(s) have not "
            f"passed: {'; '.join(d['text'] for d in described)}. A commander can override with "
            "a reason.", failing_gates=described)
    now = uow.now()
    for step in failing:
        step.overridden_at, step.overridden_by = now, uow.actor.label
        step.override_reason = override_reason
    gates = [d["step"] for d in described]
    record = {"to": target.value, "reason": override_reason, "gates": gates}
    timeline.add(uow, incident_id=incident.id, kind="gate", data={**record,
                                                                 "details": described},
                 summary=f"Gate override ({', '.join(gates)}) to move to "
                         f"{target.value}: {override_reason}")
    audit.record(uow, action="playbook.gate_override", target=f"incident:{incident.ref}",
                 before={"failing_gates": described}, after=record)


def failing_gates(session: Session, *, incident_id: int) -> list[StepRun]:
    return list(session.scalars(select(StepRun).where(
        StepRun.incident_id == incident_id, StepRun.gate.is_(True),
        StepRun.status != "succeeded", StepRun.overridden_at.is_(None))
        .order_by(StepRun.run_id, StepRun.position)))


def describe(step: StepRun, *, waits_for: str | None = None) -> dict[str, Any]:
    """A gate's state in a sentence: what it checks and why it has not passed."""
    if waits_for:
        why = f"not run yet: {waits_for}"
    elif step.status == "blocked":
        why = f"blocked: {step.blocked_reason}"
    elif step.outcome and step.outcome.get("summary"):
        why = f"{step.status}: {step.outcome['summary']}"
    elif step.status == "running":
        why = "running now"
    else:
        why = "not run yet" if step.kind != "checklist" else "not ticked yet"
    return {"step": step.ref, "title": step.title, "status": step.status,
            "text": f"{step.ref} ({step.title}) is {why}"}


def _waits_for(session: Session, incident: Incident, step: StepRun) -> str | None:
    """Why a gate that has not run yet cannot run (a missing setting, ...)."""
    if step.status not in ("pending", "failed"):
        return None
    return service.readiness(session, incident=incident, step=step)
