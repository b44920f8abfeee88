"""Start, stop and steer the escalation of an incident.

An escalation starts when an incident is declared (with the routing rule's
policy, else the policy named after its severity) and pages its first step in
that same transaction. It stops when someone acknowledges, ends when the
incident is resolved, restarts at a new target when reassigned, and follows
severity changes while nobody has acknowledged. Nothing here pages when
paging is not set up at all (no position is bound and no custom policy
exists): a fresh install records incidents without paging anyone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select, update

from warroom.audit import service as audit
from warroom.errors import Conflict, NotFound
from warroom.incidents import service as incidents
from warroom.incidents import timeline
from warroom.incidents.phases import RESOLVED_PHASES, Phase
from warroom.notify import service as outbox
from warroom.oncall import durations
from warroom.oncall.escalation import followups, messages, steps
from warroom.oncall.escalation.models import Escalation, Page, Timer
from warroom.oncall.escalation.pager import Pager
from warroom.oncall.policies import service as policies
from warroom.oncall.policies.document import Policy, Step
from warroom.oncall.positions import service as positions

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork
    from warroom.incidents.models import Incident
    from warroom.oncall.targets import TargetSpec

PAGING = ("step", "renotify")
"""Timer kinds that an acknowledgement stops."""


def for_incident(session: Session, *, incident_id: int) -> Escalation | None:
    return session.scalar(select(Escalation).where(Escalation.incident_id == incident_id))


def for_incident_or_raise(session: Session, *, incident: Incident) -> Escalation:
    escalation = for_incident(session, incident_id=incident.id)
    if escalation is None:
        raise NotFound(f"{incident.ref} has no escalation; start one with a policy.")
    return escalation


def is_configured(session: Session, pager: Pager | None = None) -> bool:
    """Whether paging is set up: a position is bound or a custom policy exists."""
    bound = bool(pager.resolver.bindings()) if pager else positions.any_bound(session)
    return bound or policies.any_custom(session)


def start(uow: UnitOfWork, *, incident: Incident, policy_name: str | None = None,
          chosen_by: str = "severity") -> Escalation | None:
    """Begin escalating ``incident``; pages the first step at once."""
    if incident.phase in RESOLVED_PHASES:
        raise Conflict(f"{incident.ref} is resolved; there is nobody left to page.")
    pager = Pager(uow)
    if chosen_by != "manual" and not is_configured(uow.session, pager):
        return None
    found, note = _choose(uow, incident, policy_name)
    if found is None:
        return None
    escalation = _new(uow, incident, found.policy, chosen_by=chosen_by, generation=1,
                      now=pager.now)
    pager.prefetch([(incident, _first_targets(found.policy))])
    timeline.add(uow, incident_id=incident.id, kind="escalation",
                 summary=f"Escalation started: policy {found.policy.name} (chosen by "
                         f"{chosen_by}){note}",
                 data={"policy": found.policy.name, "chosen_by": chosen_by})
    audit.record(uow, action="oncall.escalation.start", target=f"incident:{incident.ref}",
                 after={"policy": found.policy.name, "chosen_by": chosen_by})
    steps.run(pager, escalation, incident, due=pager.now)
    followups.schedule_notices(pager, escalation, incident)
    followups.schedule_targets(pager, escalation, incident)
    pager.writes.flush(uow)
    return escalation


def acknowledge(uow: UnitOfWork, *, incident: Incident, by: str) -> bool:
    """Stop paging for ``incident``: cancel its pending steps, re-notifications
    and queued pages. False when it was not paging."""
    escalation = _locked(uow, incident)
    if escalation is None or escalation.state not in ("active", "exhausted"):
        return False
    now = uow.now()
    before = escalation.state
    escalation.state, escalation.acknowledged_at = "acknowledged", now
    escalation.acknowledged_by, escalation.updated_at = by, now
    _cancel_timers(uow, escalation, kinds=(*PAGING, "response"))
    cancelled = outbox.cancel_group(uow, group_key=messages.page_group(incident.id),
                                    reason=f"acknowledged by {by}")
    timeline.add(uow, incident_id=incident.id, kind="escalation", actor=by,
                 summary=f"Escalation stopped: acknowledged by {by}"
                         + (f"; {cancelled} queued page(s) cancelled" if cancelled else ""),
                 data={"by": by, "cancelled": cancelled})
    audit.record(uow, action="oncall.escalation.acknowledge", target=f"incident:{incident.ref}",
                 before={"state": before}, after={"state": "acknowledged", "by": by})
    return True


def resolve(uow: UnitOfWork, *, incident: Incident) -> bool:
    """The incident is resolved: stop everything, notices and checks included."""
    escalation = _locked(uow, incident)
    if escalation is None or escalation.state == "resolved":
        return False
    before = escalation.state
    escalation.state, escalation.ended_at = "resolved", uow.now()
    escalation.updated_at = uow.now()
    _cancel_timers(uow, escalation, kinds=None)
    cancelled = sum(outbox.cancel_group(uow, group_key=group, reason="incident resolved")
                    for group in (messages.page_group(incident.id),
                                  messages.notice_group(incident.id)))
    timeline.add(uow, incident_id=incident.id, kind="escalation",
                 summary="Escalation ended: incident resolved"
                         + (f"; {cancelled} queued message(s) cancelled" if cancelled else ""),
                 data={"cancelled": cancelled})
    audit.record(uow, action="oncall.escalation.resolve", target=f"incident:{incident.ref}",
                 before={"state": before}, after={"state": "resolved"})
    return True


def choose_policy(uow: UnitOfWork, *, incident: Incident, policy_name: str) -> Escalation:
    """Escalate with ``policy_name`` from its first step (by hand)."""
    found = policies.get_by_name_or_raise(uow.session, name=policy_name)
    escalation = _locked(uow, incident)
    if escalation is None:
        started = start(uow, incident=incident, policy_name=found.policy.name,
                        chosen_by="manual")
        assert started is not None
        return started
    _restart(uow, escalation, incident, found.policy, chosen_by="manual",
             why=f"policy {found.policy.name} chosen by {uow.actor.label}")
    return escalation


def reassign(uow: UnitOfWork, *, incident: Incident, to: TargetSpec) -> Escalation:
    """Page ``to`` now in place of the first step; if nobody acknowledges,
    the policy's later steps follow as usual."""
    positions.check_exists(uow.session, to)
    escalation = _locked(uow, incident)
    if escalation is None:
        found = policies.get_by_name_or_raise(uow.session, name=incident.severity)
        base = found.policy
    else:
        base = Policy.model_validate(escalation.policy)
    # The delay goes in as text: a Duration given as a bare number means minutes.
    first = Step.model_validate({"name": f"reassigned to {to.label}", "targets": [to],
                                 "delay": durations.text(base.steps[0].delay)})
    policy = base.model_copy(update={"steps": [first, *base.steps[1:]], "notices": []})
    if escalation is None:
        escalation = _new(uow, incident, policy, chosen_by="reassign", generation=0,
                          now=uow.now())
    _restart(uow, escalation, incident, policy, chosen_by="reassign",
             why=f"reassigned to {to.label} by {uow.actor.label}")
    return escalation


def follow_severity(uow: UnitOfWork, *, incident: Incident, previous: str, current: str) -> None:
    """A policy named after the old severity gives way to the new severity's.

    While nobody has acknowledged, the new policy applies as if it had been in
    force from the start (see :func:`steps.catch_up`); an acknowledged
    escalation only records the new policy. Either way the new policy's
    notices go out (raising to Sev1 tells the executives) and the response
    targets are those of the new severity. A policy chosen by hand or by a
    routing rule under another name is kept.
    """
    escalation = _locked(uow, incident)
    if escalation is None or escalation.policy_name != previous \
            or escalation.state == "resolved":
        return
    found = policies.get_by_name(uow.session, name=current)
    if found is None:
        return
    _cancel_timers(uow, escalation, kinds=("notice", *followups.TARGETS))
    escalation.policy_name = found.policy.name
    escalation.policy = found.policy.model_dump(mode="json")
    escalation.updated_at = uow.now()
    pager = Pager(uow)
    timeline.add(uow, incident_id=incident.id, kind="escalation",
                 summary=f"Escalation follows the severity: policy {previous} -> {current}",
                 data={"from": previous, "to": current, "state": escalation.state})
    if escalation.state == "active":
        _cancel_timers(uow, escalation, kinds=PAGING)
        escalation.generation += 1
        steps.catch_up(pager, escalation, incident)
    followups.schedule_notices(pager, escalation, incident)
    followups.schedule_targets(pager, escalation, incident)
    pager.writes.flush(uow)
    audit.record(uow, action="oncall.escalation.policy", target=f"incident:{incident.ref}",
                 before={"policy": previous}, after={"policy": current})


def acknowledge_incident(uow: UnitOfWork, *, incident: Incident, by: str) -> bool:
    """Acknowledge through the incident core (first acknowledgement stamps the
    incident and fires its hook, which stops paging) and, when the incident
    was acknowledged before and has since been reassigned, stop paging here.
    True when this call stopped something or was the first acknowledgement."""
    first = incidents.acknowledge(uow, incident=incident, by=by)
    return acknowledge(uow, incident=incident, by=by) or first


def pages(session: Session, *, incident_id: int) -> list[Page]:
    return list(session.scalars(select(Page).where(Page.incident_id == incident_id)
                                .order_by(Page.id)))


def pending_timers(session: Session, *, escalation: Escalation) -> list[Timer]:
    return list(session.scalars(select(Timer).where(Timer.escalation_id == escalation.id,
                                                    Timer.status == "pending")
                                .order_by(Timer.due_at)))


def on_transition(uow: UnitOfWork, incident: Incident, *, previous: Phase,
                  current: Phase) -> None:
    """Resolving ends the escalation; leaving detection for triage is an
    acknowledgement (the core stamps acknowledged_at for it)."""
    if current in RESOLVED_PHASES:
        resolve(uow, incident=incident)
    elif previous == Phase.detection and current == Phase.triage:
        acknowledge(uow, incident=incident, by=incident.acknowledged_by or uow.actor.label)


def _choose(uow: UnitOfWork, incident: Incident,
            policy_name: str | None) -> tuple[policies.Found | None, str]:
    """The routing rule's policy, else the severity's. An unknown name from a
    routing rule must not refuse the incident: fall back and say so."""
    if policy_name:
        found = policies.get_by_name(uow.session, name=policy_name)
        if found is not None:
            return found, ""
        note = f" because the requested policy {policy_name!r} does not exist"
        return policies.get_by_name(uow.session, name=incident.severity), note
    return policies.get_by_name(uow.session, name=incident.severity), ""


def _new(uow: UnitOfWork, incident: Incident, policy: Policy, *, chosen_by: str,
         generation: int, now: datetime) -> Escalation:
    escalation = Escalation(
        incident_id=incident.id, policy_name=policy.name, policy=policy.model_dump(mode="json"),
        chosen_by=chosen_by, state="active", step_index=0, loop=0, generation=generation,
        started_at=now, updated_at=now)
    uow.session.add(escalation)
    return escalation


def _restart(uow: UnitOfWork, escalation: Escalation, incident: Incident, policy: Policy,
             *, chosen_by: str, why: str) -> None:
    if incident.phase in RESOLVED_PHASES:
        raise Conflict(f"{incident.ref} is resolved; there is nobody left to page.")
    before = {"policy": escalation.policy_name, "state": escalation.state}
    _cancel_timers(uow, escalation, kinds=(*PAGING, "notice"))
    outbox.cancel_group(uow, group_key=messages.page_group(incident.id), reason=why)
    pager = Pager(uow)
    now = pager.now
    escalation.policy_name, escalation.policy = policy.name, policy.model_dump(mode="json")
    escalation.chosen_by, escalation.state = chosen_by, "active"
    escalation.step_index, escalation.loop = 0, 0
    escalation.generation += 1
    escalation.started_at, escalation.updated_at = now, now
    escalation.acknowledged_at = escalation.acknowledged_by = escalation.ended_at = None
    timeline.add(uow, incident_id=incident.id, kind="escalation",
                 summary=f"Escalation restarted: {why}",
                 data={"policy": policy.name, "chosen_by": chosen_by})
    audit.record(uow, action="oncall.escalation.restart", target=f"incident:{incident.ref}",
                 before=before, after={"policy": policy.name, "why": why})
    steps.run(pager, escalation, incident, due=pager.now)
    followups.schedule_notices(pager, escalation, incident)
    pager.writes.flush(uow)


def _first_targets(policy: Policy) -> list[TargetSpec]:
    """Who the first step and the immediate notices name."""
    return [*policy.steps[0].targets,
            *(t for notice in policy.notices if notice.after == 0 for t in notice.targets)]


def _locked(uow: UnitOfWork, incident: Incident) -> Escalation | None:
    return uow.session.scalar(select(Escalation).where(Escalation.incident_id == incident.id)
                              .with_for_update())


def _cancel_timers(uow: UnitOfWork, escalation: Escalation,
                   kinds: tuple[str, ...] | None) -> None:
    query = update(Timer).where(Timer.escalation_id == escalation.id, Timer.status == "pending")
    if kinds is not None:
        query = query.where(Timer.kind.in_(kinds))
    uow.session.execute(query.values(status="cancelled", fired_at=uow.now())
                        .execution_options(synchronize_session=False))
