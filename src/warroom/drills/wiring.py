"""Join drills to intake and the incident lifecycle.

Intake asks whether an alert is a drill's (``intake.drill_labels``): a
synthetic alert carries ``warroom_drill``; a real alert is claimed by a
running live drill whose scenario expects that alert name. The incident it
opens is declared a drill, and the drill links to it (``incident.declared``).
The breach register asks how fast a drill incident's regulatory clocks run
(``compliance.time_scale``): as fast as the drill's own clock.
The public communication of a drill's breach goes to the running drill's
sandbox status page (``compliance.drill_public_communication``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from warroom.compliance import hooks as compliance_hooks
from warroom.drills import scenarios, service
from warroom.incidents import hooks as incident_hooks
from warroom.intake import hooks as intake_hooks

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.compliance.models import Breach
    from warroom.db import UnitOfWork
    from warroom.incidents.models import Incident


def connect() -> None:
    intake_hooks.drill_labels.connect(drill_labels)
    incident_hooks.declared.connect(declared)
    compliance_hooks.time_scale.connect(time_scale)
    compliance_hooks.drill_public_communication.connect(public_communication)


def drill_labels(session: Session, labels: dict[str, str]) -> dict[str, str] | None:
    ref = labels.get(service.DRILL_LABEL)
    if ref:
        # Only a drill's own injects carry the label (intake drops it from
        # what senders send); one naming a drill that is not running is paged
        # as a real alert would be.
        drill = service.get_by_ref(session, ref=ref)
        if drill is not None and drill.ended_at is None:
            return service.labels(drill)
    name = labels.get("alertname", "")
    for drill in service.running_live(session):
        live = scenarios.get_or_raise(drill.scenario).live
        if live is not None and name in live.alertnames:
            return service.labels(drill)
    return None


def declared(uow: UnitOfWork, incident: Incident, *, context: dict[str, Any]) -> None:
    ref = (incident.labels or {}).get(service.DRILL_LABEL)
    if not incident.is_drill or not ref:
        return
    drill = service.get_by_ref(uow.session, ref=ref)
    if drill is not None and drill.status == service.RUNNING:
        service.link(uow, drill=drill, incident=incident)


def time_scale(session: Session, incident_id: int) -> float | None:
    """The time scale of the drill whose incident this is (None for any other)."""
    drill = service.for_incident(session, incident_id=incident_id)
    return drill.time_scale if drill is not None else None

def public_communication(uow: UnitOfWork, breach: Breach, *, title: str,
                         text: str) -> str | None:
    """What the public would be told about the drill's breach, on the sandbox page."""
    if breach.incident_id is None:
        return None
    drill = service.running_for_incident(uow.session, incident_id=breach.incident_id)
    if drill is None:
        return None
    service.post_sandbox_status(uow, drill=drill, status="identified",
                                message=f"{title}\n\n{text}")
    return drill.ref
