"""Which playbooks a new incident gets.

1. A routing rule may name one (``context["playbook"]``).
2. Else a playbook that lists the alert's name (``context["alertname"]``).
3. Else the playbooks of the incident's type whose ``applies_to.match`` holds
   (services, labels, words in the title or description): the most specific
   (most criteria) wins, and equally specific ones all attach, so no right
   playbook is hidden behind an arbitrary tie-break.
4. Else the one ``selection.yaml`` maps the incident's type to.
Plus every playbook ``selection.yaml`` attaches to every incident (seed 002's
initial response checklist). A playbook that cannot be attached never stops
the declaration: the reason goes on the timeline instead. Each attached
playbook goes on the timeline and in the audit log with why it was chosen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import structlog

from warroom.audit import service as audit
from warroom.errors import Problem
from warroom.incidents import timeline
from warroom.playbooks import catalogue, service

if TYPE_CHECKING:
    from warroom.db import UnitOfWork
    from warroom.incidents.models import Incident
    from warroom.playbooks.models import PlaybookRun

log = structlog.get_logger("warroom.playbooks")


Choice = tuple[str, str, str]
"""(playbook, how: routing | alert | match | type | every_incident, why in words)"""


def on_declared(uow: UnitOfWork, incident: Incident, *, context: dict[str, Any]) -> None:
    """``declared`` listener: attach the chosen playbooks in this transaction."""
    chosen, unknown = choose(incident, context)
    for name in unknown:
        _note(uow, incident, name, "a routing rule names it, but there is no such playbook; "
                                   "the incident type's playbook is used instead")
    records = []
    for name, how, why in chosen:
        # Loading is the only step that can refuse (a missing or invalid file),
        # and it writes nothing, so no savepoint is needed: a new incident is
        # open and runs no playbook yet.
        try:
            loaded = catalogue.get_by_name_or_raise(name)
        except Problem as problem:
            _note(uow, incident, name, problem.detail)
            continue
        run = service.start_run(uow, incident=incident, loaded=loaded, how=how)
        records.append(_record_choice(uow, incident, run, why))
    if records:
        # One audit entry for the whole choice: declaring is paid for in every
        # alert storm, and the audit chain is written one entry at a time.
        audit.record(uow, action="playbook.select", target=f"incident:{incident.ref}/playbooks",
                     after={"chosen": records})


def choose(incident: Incident, context: dict[str, Any]) -> tuple[list[Choice], list[str]]:
    """The chosen playbooks, the every-incident ones first, and the names a
    routing rule gave that are not playbooks."""
    rules = catalogue.selection()
    chosen = [(name, "every_incident", "attached to every incident (selection.yaml)")
              for name in rules.every_incident]
    named = context.get("playbook")
    names = [n for n in ([named] if isinstance(named, str) else list(named or [])) if n]
    known = [n for n in names if catalogue.exists(n)]
    alert = context.get("alertname")
    by_alert = catalogue.for_alert(alert) if isinstance(alert, str) and alert else None
    if known:
        chosen += [(name, "routing", "named by the alert routing rule") for name in known]
    elif by_alert is not None:
        chosen.append((by_alert.name, "alert", f"lists alert {alert}"))
    else:
        chosen += by_match(incident) or _by_type(incident, rules)
    first: dict[str, Choice] = {}
    for choice in chosen:
        first.setdefault(choice[0], choice)
    return list(first.values()), [n for n in names if n not in known]


def by_match(incident: Incident) -> list[Choice]:
    """The most specific playbooks of the incident's type whose ``match`` holds."""
    text = f"{incident.title}\n{incident.description or ''}"
    scored = []
    for loaded in catalogue.get_all():
        applies = loaded.playbook.applies_to
        if applies.match is None or incident.type not in applies.incident_types:
            continue
        reasons = applies.match.why(services=list(incident.services or []),
                                    labels=dict(incident.labels or {}), text=text)
        if reasons:
            scored.append((len(reasons), loaded.name, " and ".join(reasons)))
    best = max((score for score, _, _ in scored), default=0)
    return [(name, "match", f"matched type {incident.type} and {why}")
            for score, name, why in scored if score == best]


def _by_type(incident: Incident, rules: catalogue.Selection) -> list[Choice]:
    if incident.type not in rules.by_type:
        return []
    return [(rules.by_type[incident.type], "type",
             f"matched type {incident.type} (selection.yaml by_type)")]


def _record_choice(uow: UnitOfWork, incident: Incident, run: PlaybookRun,
                   why: str) -> dict[str, str]:
    """The run's timeline event; returns what the audit entry keeps of it."""
    record = {"playbook": run.playbook, "version": run.version,
              "content_hash": run.content_hash, "how": run.how, "why": why}
    timeline.add(uow, incident_id=incident.id, kind="step", data=record,
                 summary=f"Playbook {run.playbook} {run.version} attached: {why}")
    return record


def _note(uow: UnitOfWork, incident: Incident, name: str, reason: str) -> None:
    log.warning("playbook not attached", incident=incident.ref, playbook=name, reason=reason)
    timeline.add(uow, incident_id=incident.id, kind="system",
                 summary=f"Playbook {name} was not attached: {reason}", data={"playbook": name})
