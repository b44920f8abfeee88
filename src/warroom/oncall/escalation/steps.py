"""Walk an escalation's steps: page, wait, move on.

Step times are anchored to when each step was *due*, not when it ran, so a
worker that was down for 40 minutes fires the 15- and 30-minute steps once
each on start and the 1-hour step still fires at the hour. A step whose
targets reach nobody (an empty schedule slot, an unbound position) does not
wait out its delay: it is recorded on the timeline, admins are alerted, and
the next step fires at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from warroom.oncall.escalation.models import Escalation, Page
from warroom.oncall.escalation.pager import Pager, names

if TYPE_CHECKING:
    from warroom.incidents.models import Incident
    from warroom.oncall.policies.document import Policy


def run(pager: Pager, escalation: Escalation, incident: Incident, *, due: datetime) -> None:
    """Fire every step due by now, then set the timer for the next one."""
    policy = pager.policy(escalation)
    gaps: list[str] = []
    for _ in range(len(policy.steps) * (policy.repeat + 1) + 1):
        if due > pager.now or escalation.state != "active":
            break
        if escalation.step_index >= len(policy.steps):
            if escalation.loop >= policy.repeat:
                _exhaust(pager, escalation, incident, policy)
                break
            escalation.loop += 1
            escalation.step_index = 0
        if _fire_step(pager, escalation, incident, policy):
            due = due + timedelta(seconds=policy.steps[escalation.step_index - 1].delay)
        else:
            gaps.append(policy.steps[escalation.step_index - 1].label)
    if gaps:
        pager.alert_admins(incident, problem=f"escalation step {', '.join(gaps)} reaches "
                           "nobody", key=f"gap:{escalation.id}.{escalation.generation}."
                           f"{escalation.loop}.{escalation.step_index}")
    if escalation.state == "active":
        pager.writes.timer(escalation, "step", max(due, pager.now))
    escalation.updated_at = pager.now


def catch_up(pager: Pager, escalation: Escalation, incident: Incident) -> None:
    """After switching to another policy mid-way (the severity changed), act
    as if it had been in force from the start: page at once everyone its
    past-due steps name who has not been paged for this incident yet, and
    keep its later steps at their times from the start."""
    policy = pager.policy(escalation)
    elapsed = (pager.now - escalation.started_at).total_seconds()
    offsets = policy.offsets()
    due_steps = [i for i, offset in enumerate(offsets) if offset <= elapsed]
    already = set(pager.session.scalars(select(Page.user_id).where(
        Page.incident_id == incident.id)))
    targets = [t for i in due_steps for t in policy.steps[i].targets]
    reached = pager.recipients(incident, targets)
    fresh = [p for p in reached.people if p.user_id not in already]
    escalation.step_index, escalation.loop = len(due_steps), 0
    if fresh:
        label = policy.steps[due_steps[-1]].label
        pager.page(escalation, incident, fresh, reason="catch-up", step_index=due_steps[-1],
                   headline=f"You are paged as {label} ({escalation.policy_name})",
                   key=f"page:{escalation.id}.{escalation.generation}.catchup")
        pager.event(incident, "page", f"Policy {escalation.policy_name} catches up: "
                    f"paged {names(fresh)}", {"users": [p.username for p in fresh]})
    if escalation.step_index < len(policy.steps):
        next_due = escalation.started_at + timedelta(seconds=offsets[escalation.step_index])
    else:
        next_due = escalation.started_at + timedelta(
            seconds=offsets[-1] + policy.steps[-1].delay)
    pager.writes.timer(escalation, "step", max(next_due, pager.now))
    escalation.updated_at = pager.now


def _fire_step(pager: Pager, escalation: Escalation, incident: Incident,
               policy: Policy) -> bool:
    """Page the current step's people; False when it reaches nobody."""
    index = escalation.step_index
    step = policy.steps[index]
    escalation.step_index += 1
    reached = pager.recipients(incident, step.targets)
    people = reached.people
    where = f"step {index + 1}/{len(policy.steps)} ({step.label})"
    if escalation.loop:
        where += f", repeat {escalation.loop}/{policy.repeat}"
    cannot = f"; cannot reach {', '.join(reached.unreachable)}" if reached.unreachable else ""
    data = {"step": index, "loop": escalation.loop, "policy": escalation.policy_name,
            "users": [p.username for p in people], "unreachable": reached.unreachable}
    if not people and reached.left_out:
        # A drill plays the step out (and waits its delay) without paging
        # people who are not taking part.
        pager.event(incident, "page", f"Escalation {where}: "
                    f"{', '.join(reached.left_out)} not in the drill, not paged",
                    {**data, "left_out": reached.left_out})
        return True
    if not people:
        pager.event(incident, "escalation", f"Escalation {where} reaches nobody"
                    f"{cannot}; moving on at once", {**data, "gap": True})
        return False
    pager.page(escalation, incident, people, reason="step", step_index=index,
               headline=f"You are paged as {step.label} ({where})",
               key=f"page:{escalation.id}.{escalation.generation}.{escalation.loop}.{index}")
    pager.event(incident, "page", f"Escalation {where}: paged {names(people)}{cannot}",
                data)
    return True


def _exhaust(pager: Pager, escalation: Escalation, incident: Incident, policy: Policy) -> None:
    escalation.state = "exhausted"
    escalation.ended_at = pager.now
    times = policy.repeat + 1
    pager.event(incident, "escalation", f"Nobody acknowledged after policy "
                f"{escalation.policy_name} ran {times} time(s); escalation exhausted",
                {"policy": escalation.policy_name})
    pager.alert_admins(incident, problem=f"nobody acknowledged after the whole escalation "
                       f"policy {escalation.policy_name} ({times} time(s))",
                       key=f"exhausted:{escalation.id}.{escalation.generation}")

