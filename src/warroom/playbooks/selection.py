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
    chosen, unknown = choose(incident, context)
    for name in unknown:
        _note(uow, incident, name, "a routing rule names it, but there is no such playbook; "
                                   "the incident type's playbook is used instead")
    for name, how in chosen:
        # Loading is the only step that can refuse (a missing or invalid file),
        # and it writes nothing, so no savepoint is needed: a new incident is
        # open and runs no playbook yet.
        try:
            loaded = catalogue.get_by_name_or_raise(name)
        except Problem as problem:
            _note(uow, incident, name, problem.detail)
            continue
        service.start_run(uow, incident=incident, loaded=loaded, how=how)


def choose(incident: Incident, context: dict[str, Any]) -> tuple[list[tuple[str, str]],
                                                                list[str]]:
    """(playbook, how it was chosen) pairs, the every-incident ones first, and
    the names a routing rule gave that are not playbooks."""
    rules = catalogue.selection()
    chosen = [(name, "every_incident") for name in rules.every_incident]
    named = context.get("playbook")
    names = [n for n in ([named] if isinstance(named, str) else list(named or [])) if n]
    known = [n for n in names if catalogue.exists(n)]
    alert = context.get("alertname")
    by_alert = catalogue.for_alert(alert) if isinstance(alert, str) and alert else None
    if known:
        chosen += [(name, "routing") for name in known]
    elif by_alert is not None:
        chosen.append((by_alert.name, "alert"))
    elif incident.type in rules.by_type:
        chosen.append((rules.by_type[incident.type], "type"))
    seen: set[str] = set()
    unique = [(n, how) for n, how in chosen if not (n in seen or seen.add(n))]
    return unique, [n for n in names if n not in known]


def _note(uow: UnitOfWork, incident: Incident, name: str, reason: str) -> None:
    log.warning("playbook not attached", incident=incident.ref, playbook=name, reason=reason)
    timeline.add(uow, incident_id=incident.id, kind="system",
                 summary=f"Playbook {name} was not attached: {reason}", data={"playbook": name})
