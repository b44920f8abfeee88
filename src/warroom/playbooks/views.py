"""What each role has to do now: the runner's view of an incident.

Steps are grouped by owning role into due now (the window has opened, or the
incident has reached the step's phase), overdue (past the end of the window),
upcoming and done. The incident view (API and ``warroom incident show``) gets
a summary through ``hooks.view_extras``; the full list is
``GET /api/v1/incidents/{id}/steps`` and ``warroom playbook steps``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from warroom import clock
from warroom.playbooks import hooks, service
from warroom.playbooks.gates import describe
from warroom.playbooks.schemas import (
    IncidentPlaybooksOut,
    ItemOut,
    OpenItemOut,
    PlaybookOut,
    PreparednessItemOut,
    RunOut,
    StepOut,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.incidents.models import Incident
    from warroom.playbooks.catalogue import Loaded
    from warroom.playbooks.models import StepRun
    from warroom.playbooks.preparedness import ItemState

STATES = ("overdue", "due_now", "upcoming", "done")


def state(step: StepRun, incident: Incident, now: datetime) -> str:
    if step.status in service.DONE:
        return "done"
    if step.due_by is not None and step.due_by <= now:
        return "overdue"
    opened = step.due_from is not None and step.due_from <= now
    return "due_now" if opened or service.phase_reached(step, incident) else "upcoming"


def waiting_on(step: StepRun, steps: list[StepRun]) -> list[str]:
    """The earlier steps this one still waits for."""
    done = {s.step_id for s in steps if s.run_id == step.run_id and s.status in service.DONE}
    return [name for name in step.after or [] if name not in done]


def note(step: StepRun, steps: list[StepRun]) -> str | None:
    """Why an automated step is not moving, in a few words."""
    if step.status == "blocked":
        return step.blocked_reason
    if step.destructive and step.approved_at is None and step.status not in service.DONE:
        return "awaiting a commander's approval"
    after = waiting_on(step, steps)
    return f"after {', '.join(after)}" if after else None


def by_role(session: Session, incident: Incident) -> dict[str, Any]:
    """The ``playbooks`` entry of the incident view."""
    now = clock.now()
    steps = service.get_steps(session, incident_id=incident.id)
    roles: dict[str, dict[str, list[str]]] = {}
    for step in steps:
        where = state(step, incident, now)
        if where == "upcoming":
            continue
        entry = roles.setdefault(step.role, {"overdue": [], "due_now": [], "done": []})
        entry[where].append(f"{step.ref}: {step.title}")
    runs = service.get_runs(session, incident_id=incident.id)
    return {"playbooks": {
        "attached": [{"playbook": r.playbook, "version": r.version,
                      "content_hash": r.content_hash[:12], "how": r.how,
                      "attached_at": r.attached_at.isoformat()} for r in runs],
        "by_role": roles,
        "gates": [{**describe(s), "passed": s.status == "succeeded",
                   "overridden": s.overridden_at is not None} for s in steps if s.gate],
    }} if runs else {}


def due_titles(session: Session, incident: Incident) -> list[str]:
    """The steps due now or overdue, for a message's "Next Steps"."""
    now = clock.now()
    return [step.title for step in service.get_steps(session, incident_id=incident.id)
            if state(step, incident, now) in ("overdue", "due_now")][:5]


def step_out(step: StepRun, steps: list[StepRun], incident: Incident, now: datetime,
             *, with_output: bool = False) -> StepOut:
    return StepOut(
        id=step.id, ref=step.ref, playbook=step.playbook, step_id=step.step_id,
        phase=step.phase, title=step.title, role=step.role, kind=step.kind,
        state=state(step, incident, now), status=step.status, note=note(step, steps),
        due_window=step.due_window, due_from=step.due_from, due_by=step.due_by,
        gate=step.gate, destructive=step.destructive, source=step.source,
        after=list(step.after or []), params=dict(step.params or {}), run_at=step.run_at,
        attempts=step.attempts, started_at=step.started_at, finished_at=step.finished_at,
        outcome=step.outcome, output=step.output if with_output else None,
        done_by=step.done_by, notes=step.notes, approved_by=step.approved_by,
        approved_at=step.approved_at, overridden_by=step.overridden_by,
        override_reason=step.override_reason, items=items_of(step))


def items_of(step: StepRun) -> list[ItemOut]:
    """A checklist step's items with who ticked each one and when."""
    if step.kind != "checklist":
        return []
    ticks = step.item_ticks or {}
    return [ItemOut(number=number, text=text, **_tick_fields(ticks.get(str(number))))
            for number, text in enumerate((step.params or {}).get("items") or [], start=1)]


def _tick_fields(tick: dict[str, Any] | None) -> dict[str, Any]:
    if tick is None:
        return {}
    return {"ticked_by": tick["by"], "ticked_at": datetime.fromisoformat(tick["at"]),
            "note": tick.get("note")}


def incident_playbooks(session: Session, incident: Incident, now: datetime
                       ) -> IncidentPlaybooksOut:
    steps = service.get_steps(session, incident_id=incident.id)
    return IncidentPlaybooksOut(
        incident=incident.ref,
        runs=[RunOut.model_validate(r, from_attributes=True)
              for r in service.get_runs(session, incident_id=incident.id)],
        steps=[step_out(s, steps, incident, now) for s in steps])


def playbook_out(loaded: Loaded) -> PlaybookOut:
    playbook = loaded.playbook
    steps = [step for _, step in playbook.steps()]
    return PlaybookOut(name=playbook.name, version=playbook.version, title=playbook.title,
                       source=playbook.source, content_hash=loaded.content_hash,
                       incident_types=list(playbook.applies_to.incident_types),
                       alerts=list(playbook.applies_to.alerts), steps=len(steps),
                       gates=[s.id for s in steps if s.gate], file=loaded.path.name)


def catalogue_out(session: Session, loaded: list[Loaded], now: datetime) -> list[PlaybookOut]:
    """The catalogue with each playbook's open action items (seed 002
    "Procedure Updates"), answered by whichever domain keeps action items
    through ``hooks.open_items``."""
    rows = [playbook_out(one) for one in loaded]
    merged: dict[str, list[dict[str, Any]]] = {}
    for answer in hooks.open_items.collect(session, files=[r.file for r in rows], now=now):
        for file, found in answer.items():
            merged.setdefault(file, []).extend(found)
    for row in rows:
        found = merged.get(row.file, [])
        row.open_items = len(found)
        row.open_action_items = [OpenItemOut(**item) for item in found]
    return rows


def item_out(item: ItemState) -> PreparednessItemOut:
    return PreparednessItemOut(id=item.item.id, text=item.item.text, owner=item.owner,
                               verify_every_days=item.item.verify_every_days,
                               last_verified_at=item.last_verified_at,
                               last_verified_by=item.last_verified_by, note=item.note,
                               due_at=item.due_at, due=item.due)
