"""Which playbooks a new incident gets.

1. A routing rule may name one (``context["playbook"]``).
2. Else a playbook that lists the alert's name (``context["alertname"]``).
3. Else the one ``selection.yaml`` maps the incident's type to.
Plus every playbook ``selection.yaml`` attaches to every incident (seed 002's
initial response checklist). A playbook that cannot be attached never stops
the declaration: the reason goes on the timeline instead.
"""

from __future__ import annotations

from typing import Any

import structlog

from warroom.db import UnitOfWork
from warroom.errors import Problem
from warroom.incidents import timeline
from warroom.incidents.models import Incident
from warroom.playbooks import catalogue, service

log = structlog.get_logger("warroom.playbooks")


def on_declared(uow: UnitOfWork, incident: Incident, *, context: dict[str, Any]) -> None:
    """``declared`` listener: attach the chosen playbooks in this transaction."""
    for name, how in choose(incident, context):
        try:
            with uow.session.begin_nested():
                service.attach(uow, incident=incident, name=name, how=how)
        except Problem as problem:
            log.warning("playbook not attached", incident=incident.ref, playbook=name,
                        reason=problem.detail)
            timeline.add(uow, incident_id=incident.id, kind="system",
                         summary=f"Playbook {name} could not be attached: {problem.detail}",
                         data={"playbook": name, "how": how})


def choose(incident: Incident, context: dict[str, Any]) -> list[tuple[str, str]]:
    """(playbook, how it was chosen) pairs, the every-incident ones first."""
    chosen = [(name, "every_incident") for name in catalogue.selection().every_incident]
    named = context.get("playbook")
    names = [named] if isinstance(named, str) else list(named or [])
    if any(names):
        chosen += [(name, "routing") for name in names if name]
    else:
        alert = context.get("alertname")
        by_alert = catalogue.for_alert(alert) if isinstance(alert, str) and alert else None
        if by_alert is not None:
            chosen.append((by_alert.name, "alert"))
        elif incident.type in catalogue.selection().by_type:
            chosen.append((catalogue.selection().by_type[incident.type], "type"))
    seen: set[str] = set()
    return [(n, how) for n, how in chosen if not (n in seen or seen.add(n))]
