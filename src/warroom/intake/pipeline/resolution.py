"""What resolved and acknowledged alerts do to their incidents.

A resolved alert is written on its incident's timeline. When the last firing
alert of an incident resolves, the timeline says so, and if the alert's
routing rule says ``on_all_resolved: recovery`` the incident moves to recovery
when its phase allows it. An incident is never closed by an alert: closing
stays a person's decision.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from warroom.errors import Conflict
from warroom.incidents import service as incidents
from warroom.incidents import timeline
from warroom.incidents.phases import Phase, is_legal
from warroom.intake.models import Alert
from warroom.intake.pipeline.placement import Pending, alert_data, describe

if TYPE_CHECKING:
    from warroom.db import UnitOfWork
    from warroom.incidents.models import Incident


def settle(uow: UnitOfWork, resolved: list[Pending], acknowledged: list[Pending]) -> None:
    for incident_id, items in _by_incident(resolved).items():
        incident = incidents.get(uow.session, incident_id=incident_id)
        if incident is not None:
            _resolved(uow, incident, items)
    for incident_id in _by_incident(acknowledged):
        incident = incidents.get(uow.session, incident_id=incident_id)
        if incident is not None and incident.is_open:
            incidents.acknowledge(uow, incident=incident)


def _resolved(uow: UnitOfWork, incident: Incident, items: list[Pending]) -> None:
    timeline.add(uow, incident_id=incident.id, kind="alert",
                 summary=f"{describe([p.alert for p in items])} resolved",
                 data={"alerts": alert_data(items), "count": len(items)})
    still_firing = uow.session.scalar(select(func.count()).select_from(Alert).where(
        Alert.incident_id == incident.id, Alert.status == "firing")) or 0
    if still_firing or not incident.is_open:
        return
    timeline.add(uow, incident_id=incident.id, kind="alert",
                 summary=f"All alerts of {incident.ref} have resolved",
                 data={"all_resolved": True})
    if items[-1].rule.rule.on_all_resolved == "recovery":
        _to_recovery(uow, incident)


def _to_recovery(uow: UnitOfWork, incident: Incident) -> None:
    current = Phase(incident.phase)
    if current == Phase.recovery:
        return
    if not is_legal(current, Phase.recovery):
        timeline.add(uow, incident_id=incident.id, kind="alert",
                     summary=f"Stays in {current.value}: recovery cannot be entered from "
                             f"{current.value}; move it on when it has been looked at",
                     data={"all_resolved": True, "phase": current.value})
        return
    try:
        incidents.transition(uow, incident=incident, target=Phase.recovery.value,
                             note="every alert resolved")
    except Conflict as refused:
        timeline.add(uow, incident_id=incident.id, kind="alert",
                     summary=f"Could not move to recovery: {refused.detail}",
                     data={"all_resolved": True})


def _by_incident(pending: list[Pending]) -> dict[int, list[Pending]]:
    grouped: dict[int, list[Pending]] = defaultdict(list)
    for p in pending:
        incident_id = p.stored.incident_id if p.stored is not None else None
        if incident_id is not None:
            grouped[incident_id].append(p)
    return grouped
