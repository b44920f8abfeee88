"""Points where other domains join the incident lifecycle.

The incident core does not know about paging, playbooks or the status page.
Those domains connect their functions here (see each domain's ``wiring.py``)
and run inside the same unit of work, so a declared incident and its first
page are committed together. A ``before_transition`` listener may refuse a
transition by raising :class:`warroom.errors.Conflict` (playbook gates do).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork
    from warroom.incidents.models import Incident


class Hook:
    def __init__(self, name: str) -> None:
        self.name = name
        self._listeners: list[Callable[..., Any]] = []

    def connect(self, listener: Callable[..., Any]) -> None:
        if listener not in self._listeners:
            self._listeners.append(listener)

    def disconnect(self, listener: Callable[..., Any]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def fire(self, *args: Any, **kwargs: Any) -> None:
        for listener in list(self._listeners):
            listener(*args, **kwargs)


# listener(uow, incident, *, context: dict) -- context carries e.g. the routing rule's
# escalation_policy / playbook names when an alert opened the incident.
declared = Hook("incident.declared")
# listener(uow, incident, target: Phase, *, override_reason: str | None)
before_transition = Hook("incident.before_transition")
# listener(uow, incident, *, previous: Phase, current: Phase)
transitioned = Hook("incident.transitioned")
# listener(uow, incident, *, previous: str, current: str)
severity_changed = Hook("incident.severity_changed")
# listener(uow, incident, *, by: str)
acknowledged = Hook("incident.acknowledged")
# listener(uow, incident, *, role: str, primary_user_id, backup_user_id)
role_assigned = Hook("incident.role_assigned")
# listener(uow, incident, *, changes: dict)
updated = Hook("incident.updated")


# Functions (session, incident) -> dict merged into the incident view's "extra"
# field, so the API and CLI show what other domains know (pages, playbook steps).
view_extras: list[Callable[..., dict[str, Any]]] = []


@dataclass(frozen=True)
class Offer:
    """Something another domain suggests doing once an incident has ended
    (resolve the public notice still open...): ``warroom incident transition``
    asks ``question`` at a terminal, prints ``hint`` elsewhere, and runs
    ``accept`` in a unit of work of its own when the person says yes."""

    question: str
    hint: str
    accept: Callable[[UnitOfWork], str]


# Functions (session, incident) -> offers shown when an incident ends.
ending_offers: list[Callable[[Session, Incident], list[Offer]]] = []
