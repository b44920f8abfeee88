"""Score a drill against its scenario's objectives, from the incident's record.

Every objective is read from what the drill incident recorded (milestones,
role assignments, timeline events), never from what the drill itself did,
so a drill is scored the way a real response would be. Times are scenario
minutes: real minutes since the start times the drill's time scale.

Evidence and breach objectives read the timeline kinds the evidence and
compliance domains write (``evidence``/``added``, ``breach``/``assessed``,
``breach``/``dpo_notified``), so they are met as soon as those domains record.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from warroom.drills.scenarios import PHASE_MILESTONES
from warroom.incidents import timeline

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from warroom.drills.models import Drill
    from warroom.drills.scenarios import Objective, Scenario
    from warroom.incidents.models import Incident, TimelineEvent

MET, LATE, MISSED, PENDING = "met", "late", "missed", "pending"


@dataclass(frozen=True)
class Result:
    id: str
    title: str
    kind: str
    target_minutes: int
    status: str
    at_minutes: float | None
    late_by_minutes: float | None


def evaluate(session: Session, *, drill: Drill, scenario: Scenario,
             incident: Incident | None, now: datetime, final: bool) -> list[Result]:
    """Each objective met, late (by how much), missed, or (while the drill
    runs and its target has not passed) pending."""
    events = timeline.get_all(session, incident_id=incident.id) if incident else []
    elapsed = _minutes(drill, now)
    results = []
    for objective in scenario.objectives:
        target = scenario.objective_target(objective)
        moment = _achieved_at(objective, incident, events)
        at = _minutes(drill, moment) if moment is not None else None
        if at is not None:
            status = MET if at <= target else LATE
        else:
            status = MISSED if final or elapsed > target else PENDING
        results.append(Result(objective.id, objective.title, objective.kind, target, status,
                              None if at is None else round(at, 1),
                              round(at - target, 1) if status == LATE and at is not None
                              else None))
    return results


def score(results: list[Result]) -> int:
    """Percent: a met objective counts fully, a late one half."""
    if not results:
        return 0
    points = sum(1.0 if r.status == MET else 0.5 if r.status == LATE else 0.0
                 for r in results)
    return round(100 * points / len(results))


def as_rows(results: list[Result]) -> list[dict[str, object]]:
    return [asdict(r) for r in results]


def _minutes(drill: Drill, moment: datetime) -> float:
    return max(0.0, (moment - drill.started_at).total_seconds() / 60 * drill.time_scale)


def _achieved_at(objective: Objective, incident: Incident | None,
                 events: list[TimelineEvent]) -> datetime | None:
    if incident is None:
        return None
    if objective.kind == "acknowledged":
        return incident.acknowledged_at
    if objective.kind == "role_assigned":
        return next((r.assigned_at for r in incident.roles
                     if r.role == objective.role and r.primary_user_id), None)
    if objective.kind == "phase_reached":
        return getattr(incident, PHASE_MILESTONES[objective.phase or ""])
    return next((e.at for e in events if _matches(objective, e)), None)


def _matches(objective: Objective, event: TimelineEvent) -> bool:
    data = event.data or {}
    action = data.get("action")
    if objective.kind == "status_update":
        return (event.kind == "comms" and data.get("update_number") is not None) or \
            (event.kind == "drill" and action == "sandbox_status")
    if objective.kind == "evidence_preserved":
        return event.kind == "evidence" and action == "added"
    if objective.kind == "dpo_notified":
        return event.kind == "breach" and action == "dpo_notified"
    if objective.kind == "breach_assessed":
        return event.kind == "breach" and action == "assessed"
    if objective.kind == "step_passed":
        return event.kind == "step" and data.get("step") == objective.step and \
            data.get("status") in ("succeeded", "done")
    return False
