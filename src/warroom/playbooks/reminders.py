"""Overdue steps: one timeline event per incident and one message per owner.

A step is overdue once the end of its due window passes and it is not done.
Each overdue step is reminded about once: to the primary person of its owning
role, or to the incident commander when nobody holds that role. Resolved
incidents are left alone.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update

from warroom.incidents import catalog, timeline
from warroom.incidents import service as incident_service
from warroom.incidents.phases import RESOLVED_PHASES
from warroom.notify.service import notify_person
from warroom.playbooks.models import StepRun
from warroom.playbooks.service import DONE

if TYPE_CHECKING:
    from datetime import datetime

    from warroom.db import UnitOfWork
    from warroom.incidents.models import Incident

RESOLVED = [p.value for p in RESOLVED_PHASES]
BATCH = 200


def remind_overdue(uow: UnitOfWork) -> datetime | None:
    """Remind about every newly overdue step; return when the next one falls due.

    Each step leaves the queue (``remind_at``) the first time it is looked at
    after its window ends: reminded if it is still to do, dropped if it was
    done or its incident resolved by then. So a cycle reads the due steps
    only, however many incidents are open."""
    now = uow.now()
    rows = _due_with_incidents(uow, now)
    overdue = [(step, incident) for step, incident in rows
               if step.status not in DONE and incident.phase not in RESOLVED]
    for incident, group in itertools.groupby(overdue, key=lambda row: row[1]):
        _remind(uow, incident, [step for step, _ in group], now)
    if overdue:
        uow.session.execute(update(StepRun).where(StepRun.id.in_([s.id for s, _ in overdue]))
                            .values(reminded_at=now).execution_options(
                                synchronize_session=False))
    if rows:
        uow.session.execute(update(StepRun).where(StepRun.id.in_([s.id for s, _ in rows]))
                            .values(remind_at=None).execution_options(
                                synchronize_session=False))
    if len(rows) == BATCH:
        return now
    return uow.session.scalar(select(func.min(StepRun.remind_at)))


def _due_with_incidents(uow: UnitOfWork, now: datetime) -> list[tuple[StepRun, Incident]]:
    """A batch of steps whose reminder window ended, each with its incident."""
    steps = list(uow.session.scalars(select(StepRun).where(StepRun.remind_at <= now)
                                     .order_by(StepRun.incident_id, StepRun.id).limit(BATCH)))
    incidents = incident_service.many(uow.session, ids=[step.incident_id for step in steps])
    return [(step, incidents[step.incident_id]) for step in steps]


def _remind(uow: UnitOfWork, incident: Incident, steps: list[StepRun], now: datetime) -> None:
    holders = {r.role: r.primary_user_id for r in incident.roles if r.primary_user_id}
    commander = holders.get("incident_commander")
    by_person: dict[int, list[StepRun]] = {}
    unowned = []
    for step in steps:
        person = holders.get(step.role) or commander
        if person is None:
            unowned.append(step)
        else:
            by_person.setdefault(person, []).append(step)
    for person, owned in by_person.items():
        notify_person(uow, user_id=person, kind="playbook_reminder", incident_id=incident.id,
                      key=f"playbook-overdue:{incident.id}:{person}:{owned[0].id}:{len(owned)}",
                      subject=f"[warroom] {incident.ref}: {len(owned)} playbook step(s) overdue",
                      body=_body(incident, owned))
    names = ", ".join(s.ref for s in steps[:10]) + (" ..." if len(steps) > 10 else "")
    reminded = f"reminded {len(by_person)} person(s)" if by_person else "nobody to remind"
    if unowned:
        reminded += f"; {len(unowned)} with no owner or commander assigned"
    timeline.add(uow, incident_id=incident.id, kind="reminder",
                 summary=f"{len(steps)} playbook step(s) overdue: {names} ({reminded})",
                 data={"steps": [s.ref for s in steps], "people": sorted(by_person),
                       "unowned": [s.ref for s in unowned]})


def _body(incident: Incident, steps: list[StepRun]) -> str:
    roles = {r.id: r.name for r in catalog.roles()}
    lines = [f"These steps of {incident.ref} ({incident.title}) are past their due time:", ""]
    for step in steps:
        due = f"{step.due_by:%H:%M} UTC" if step.due_by else "-"
        lines.append(f"- {step.ref}: {step.title} ({roles.get(step.role, step.role)}, due "
                     f"{due}, {step.status})")
    lines += ["", f"See them with: warroom playbook steps {incident.ref}"]
    return "\n".join(lines)
