"""What runs beside the steps: notices, response-time targets and
re-notifications."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from warroom.incidents import catalog
from warroom.incidents.phases import RESOLVED_PHASES
from warroom.oncall.escalation.pager import Pager, names

if TYPE_CHECKING:
    from warroom.incidents.models import Incident
    from warroom.oncall.escalation.models import Escalation

TARGETS = ("response", "engagement")


def schedule_notices(pager: Pager, escalation: Escalation, incident: Incident) -> None:
    """Send the policy's notices that are due at once, set timers for the rest."""
    policy = pager.policy(escalation)
    for index, notice in enumerate(policy.notices):
        due = escalation.started_at + timedelta(seconds=notice.after)
        if due <= pager.now:
            fire_notice(pager, escalation, incident, index)
        else:
            pager.writes.timer(escalation, "notice", due,
                               {"index": index, "policy": escalation.policy_name})


def fire_notice(pager: Pager, escalation: Escalation, incident: Incident, index: int) -> None:
    policy = pager.policy(escalation)
    if index >= len(policy.notices):
        return
    notice = policy.notices[index]
    reason = notice.reason or f"notice {index + 1} of policy {escalation.policy_name}"
    reached = pager.recipients(incident, notice.targets)
    people = reached.people
    if not people:
        if reached.left_out:
            return  # a drill: nobody taking part is meant to hear this
        pager.event(incident, "escalation", f"Notice reaches nobody: {reason}",
                    {"notice": index, "gap": True, "unreachable": reached.unreachable})
        pager.alert_admins(incident, problem=f"the notice '{reason}' reaches nobody",
                           key=f"notice-gap:{incident.id}:{escalation.policy_name}:{index}")
        return
    pager.tell(incident, people, headline=f"For your information: {reason}",
               key=f"notice:{incident.id}:{escalation.policy_name}:{index}")
    pager.event(incident, "escalation", f"Notified {names(people)}: {reason}",
                {"notice": index, "users": [p.username for p in people]})


def schedule_targets(pager: Pager, escalation: Escalation, incident: Incident) -> None:
    """Check the severity's response and engagement targets when they fall
    due (an immediate engagement target is covered by the response one)."""
    severity = catalog.severity(incident.severity)
    pager.writes.timer(escalation, "response",
                       severity.response_target.due(incident.declared_at),
                       {"severity": severity.id})
    if severity.engagement_target.minutes != 0:
        pager.writes.timer(escalation, "engagement",
                           severity.engagement_target.due(incident.declared_at),
                           {"severity": severity.id})


def check_target(pager: Pager, escalation: Escalation, incident: Incident, kind: str) -> None:
    """A missed target is an ``sla`` timeline event and a message to the
    next tier: the people of the next step that has not fired (admins when
    every step has)."""
    severity = catalog.severity(incident.severity)
    if incident.phase in RESOLVED_PHASES:
        return
    if kind == "response":
        target, missed = severity.response_target, incident.acknowledged_at is None
        what = "acknowledged"
    else:
        target, missed = severity.engagement_target, incident.phase in ("detection", "triage")
        what = "engaged (out of triage)"
    if not missed:
        return
    policy = pager.policy(escalation)
    problem = (f"{incident.ref} was not {what} within its {severity.id} {kind} target "
               f"({target.text})")
    data: dict[str, Any] = {"target": kind, "severity": severity.id, "due": target.due(
        incident.declared_at).isoformat()}
    if escalation.step_index < len(policy.steps):
        step = policy.steps[escalation.step_index]
        people = pager.recipients(incident, step.targets).people
        pager.tell(incident, people, kind="sla", key=f"sla:{incident.id}:{kind}:{severity.id}",
                   headline=f"{problem}; you are the next tier ({step.label})")
        told = f"told the next tier ({step.label}): {names(people) or 'nobody'}"
        data["told"] = [p.username for p in people]
    else:
        pager.alert_admins(incident, problem=problem, key=f"sla:{incident.id}:{kind}")
        told = "every step has fired; admins alerted"
    pager.event(incident, "sla", f"Missed target: {problem}; {told}", data)


def renotify(pager: Pager, escalation: Escalation, incident: Incident, *, user_id: int,
             timer_id: int) -> None:
    """Page a person again because they asked to be, until someone acknowledges."""
    if escalation.state not in ("active", "exhausted"):
        return
    person = pager.person(user_id)
    if person is None or not person.reaches or not person.renotify_minutes:
        return  # they turned re-notification off since
    minutes = person.renotify_minutes
    pager.page(escalation, incident, [person], reason="renotify",
               step_index=max(escalation.step_index - 1, 0),
               headline=f"Reminder: {incident.ref} is still not acknowledged (you asked to be "
                        f"paged again every {minutes} min)", key=f"renotify:{timer_id}")
    pager.event(incident, "reminder", f"Paged {person.username} again (re-notify every "
                f"{minutes} min)", {"user": person.username})
