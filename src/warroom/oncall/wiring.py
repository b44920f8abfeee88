"""Join paging to the incident lifecycle and to ``notify_person``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from warroom.incidents import hooks
from warroom.notify import hooks as notify_hooks
from warroom.oncall.escalation import service as escalations
from warroom.oncall.escalation.views import incident_extra
from warroom.oncall.people.contacts import person_routes

if TYPE_CHECKING:
    from warroom.db import UnitOfWork
    from warroom.incidents.models import Incident


def connect() -> None:
    hooks.declared.connect(declared)
    hooks.acknowledged.connect(acknowledged)
    hooks.transitioned.connect(escalations.on_transition)
    hooks.severity_changed.connect(severity_changed)
    hooks.view_extras.connect(incident_extra)
    notify_hooks.person_routes.connect(person_routes)


def declared(uow: UnitOfWork, incident: Incident, *, context: dict[str, Any]) -> None:
    """Start paging with the routing rule's policy, else the severity's."""
    policy = (context or {}).get("escalation_policy")
    escalations.start(uow, incident=incident, policy_name=policy,
                      chosen_by="routing" if policy else "severity")


def acknowledged(uow: UnitOfWork, incident: Incident, *, by: str) -> None:
    escalations.acknowledge(uow, incident=incident, by=by)


def severity_changed(uow: UnitOfWork, incident: Incident, *, previous: str,
                     current: str) -> None:
    escalations.follow_severity(uow, incident=incident, previous=previous, current=current)
