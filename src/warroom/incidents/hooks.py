"""Points where other domains join the incident lifecycle.

The incident core does not know about paging, playbooks or the status page.
Those domains connect their functions here (see each domain's ``Domain.connect``)
and run inside the same unit of work, so a declared incident and its first
page are committed together. A ``before_transition`` listener may refuse a
transition by raising :class:`warroom.errors.Conflict` (playbook gates do).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from warroom.hooks import Hook

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork
    from warroom.incidents.models import Incident
    from warroom.incidents.phases import Phase


@dataclass(frozen=True)
class Offer:
    """Something another domain suggests doing once an incident has ended
    (resolve the public notice still open...): ``warroom incident transition``
    asks ``question`` at a terminal, prints ``hint`` elsewhere, and runs
    ``accept`` in a unit of work of its own when the person says yes."""

    question: str
    hint: str
    accept: Callable[[UnitOfWork], str]


def _declared(uow: UnitOfWork, incident: Incident, *, context: dict[str, Any]) -> None:
    """``context`` carries e.g. the routing rule's escalation_policy / playbook."""


def _before_transition(uow: UnitOfWork, incident: Incident, target: Phase, *,
                       override_reason: str | None) -> None:
    """Raise :class:`warroom.errors.Conflict` to refuse the transition."""


def _transitioned(uow: UnitOfWork, incident: Incident, *, previous: Phase,
                  current: Phase) -> None: ...


def _severity_changed(uow: UnitOfWork, incident: Incident, *, previous: str,
                      current: str) -> None: ...


def _acknowledged(uow: UnitOfWork, incident: Incident, *, by: str) -> None: ...


def _role_assigned(uow: UnitOfWork, incident: Incident, *, role: str,
                   primary_user_id: int | None, backup_user_id: int | None) -> None: ...


def _updated(uow: UnitOfWork, incident: Incident, *, changes: dict[str, Any]) -> None: ...


def _milestone_changed(uow: UnitOfWork, incident: Incident, *, name: str,
                       previous: datetime | None, current: datetime | None) -> None:
    """A milestone was corrected (figures computed from it must follow)."""


def _view_extras(session: Session, incident: Incident) -> dict[str, Any]:
    """Merged into the incident view's ``extra`` field."""
    return {}


def _ending_offers(session: Session, incident: Incident) -> list[Offer]:
    return []


declared = Hook("incident.declared", _declared, "An incident was declared.")
before_transition = Hook("incident.before_transition", _before_transition,
                         "A phase change is about to happen; a listener may refuse it.")
transitioned = Hook("incident.transitioned", _transitioned, "The phase changed.")
severity_changed = Hook("incident.severity_changed", _severity_changed,
                        "The severity changed.")
acknowledged = Hook("incident.acknowledged", _acknowledged, "Someone acknowledged.")
role_assigned = Hook("incident.role_assigned", _role_assigned, "A role was (re)assigned.")
updated = Hook("incident.updated", _updated, "Title, description, labels... changed.")
milestone_changed = Hook("incident.milestone_changed", _milestone_changed,
                         "A milestone (started_at, detected_at...) was corrected.")
view_extras = Hook("incident.view_extras", _view_extras,
                   "What other domains add to the incident view (pages, playbook steps).")
ending_offers = Hook("incident.ending_offers", _ending_offers,
                     "What other domains suggest doing once an incident has ended.")
