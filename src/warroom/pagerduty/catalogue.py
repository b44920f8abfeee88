"""PagerDuty's configuration objects, read from warroom's on-call setup.

warroom has no service table: a service is a name, carried by incidents and
by on-call position bindings (``warroom oncall positions bind ... --service``).
The services this API knows are those bound names, the names the
``pagerduty_service_ids`` setting maps ids to, and the services of incidents
opened through this API. Escalation policies and schedules are warroom's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from warroom.auth import service as users
from warroom.oncall.policies import service as policies
from warroom.oncall.positions import service as positions
from warroom.oncall.resolve import Resolver
from warroom.oncall.schedules import service as schedules
from warroom.pagerduty import ids
from warroom.pagerduty import settings as pd_settings
from warroom.pagerduty.errors import NOT_FOUND, PagerDutyError, invalid
from warroom.pagerduty.models import OpenedIncident

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from warroom.auth.models import User
    from warroom.oncall.policies.document import Policy
    from warroom.oncall.schedules.models import Schedule
    from warroom.oncall.targets import TargetSpec


def services(session: Session) -> list[str]:
    bound = {b.service for b in positions.get_all(session) if b.service}
    mapped = set(pd_settings.get().pagerduty_service_ids.values())
    opened = set(session.scalars(select(OpenedIncident.service).distinct()))
    return sorted(bound | mapped | opened)


def resolve_service(session: Session, reference: str) -> str:
    """The warroom service a PagerDuty service id names: an id from the
    ``pagerduty_service_ids`` setting, a PagerDuty-style id this API gave
    out (``GET /services``), or the service's warroom name."""
    wanted = str(reference).strip()
    aliases = pd_settings.get().pagerduty_service_ids
    if wanted in aliases:
        return aliases[wanted]
    known = services(session)
    for name in known:
        if wanted in (name, ids.named(ids.SERVICE, name)):
            return name
    raise invalid(f"Service Not Found: warroom knows no service {wanted!r}. Use an id from "
                  "GET /pagerduty/services, a warroom service name, or map the id with "
                  "WARROOM_PAGERDUTY_SERVICE_IDS.")


def service_by_id(session: Session, pd_id: str) -> str:
    for name in services(session):
        if pd_id in (name, ids.named(ids.SERVICE, name)):
            return name
    raise PagerDutyError(NOT_FOUND, [f"There is no service {pd_id!r}; GET /pagerduty/services "
                                     "lists them."])


def policy_names(session: Session) -> list[str]:
    return [found.policy.name for found in policies.get_all(session)]


def resolve_policy(session: Session, reference: str) -> Policy:
    wanted = str(reference).strip()
    for found in policies.get_all(session):
        if wanted in (found.policy.name, ids.named(ids.POLICY, found.policy.name)):
            return found.policy
    raise invalid(f"Escalation Policy Not Found: warroom has no escalation policy {wanted!r}; "
                  f"there are: {', '.join(policy_names(session))}.")


def resolve_user(session: Session, reference: str) -> User:
    number = ids.number(ids.USER, reference)
    person = users.get(session, user_id=number) if number is not None else \
        users.get_by_username(session, username=str(reference).strip())
    if person is None or not person.is_active:
        raise invalid(f"User Not Found: warroom has no active user {reference!r}.")
    return person


def schedule_by_id(session: Session, pd_id: str) -> Schedule:
    number = ids.number(ids.SCHEDULE, pd_id)
    found = schedules.get(session, schedule_id=number) if number is not None else \
        schedules.get_by_name(session, name=pd_id)
    if found is None:
        raise PagerDutyError(NOT_FOUND, [f"There is no schedule {pd_id!r}; GET "
                                         "/pagerduty/schedules lists them."])
    return found


@dataclass(frozen=True)
class OnCall:
    """One PagerDuty on-call entry: a person on a policy's level, maybe
    through a schedule."""

    policy: str
    level: int
    person: User
    schedule: Schedule | None


def on_calls(session: Session, *, at: datetime) -> list[OnCall]:
    """Who each policy's steps reach now, step by step (a step is a
    PagerDuty escalation level)."""
    resolver = Resolver(session, at)
    found: list[OnCall] = []
    for entry in policies.get_all(session):
        for level, step in enumerate(entry.policy.steps, start=1):
            for target in step.targets:
                found.extend(_reached(session, resolver, entry.policy.name, level, target, at))
    return found


def _reached(session: Session, resolver: Resolver, policy: str, level: int,
             target: TargetSpec, at: datetime) -> list[OnCall]:
    if target.kind == "schedule":
        schedule = schedules.get_by_name(session, name=target.name)
        if schedule is None:
            return []
        return [OnCall(policy, level, person, schedule)
                for person in schedules.on_call(session, schedule=schedule, at=at)]
    people = users.get_many(session, ids=resolver.resolve(target))
    return [OnCall(policy, level, person, None) for person in people.values()]


def policy_targets(session: Session, policy: Policy, *,
                   at: datetime) -> list[list[tuple[str, object]]]:
    """Each step's targets as (kind, object): users and schedules, as
    PagerDuty's escalation rules name them (teams and positions resolved to
    the people they reach)."""
    resolver = Resolver(session, at)
    steps: list[list[tuple[str, object]]] = []
    for step in policy.steps:
        targets: list[tuple[str, object]] = []
        for target in step.targets:
            if target.kind == "schedule":
                schedule = schedules.get_by_name(session, name=target.name)
                if schedule is not None:
                    targets.append(("schedule", schedule))
                continue
            people = users.get_many(session, ids=resolver.resolve(target))
            targets.extend(("user", person) for person in people.values())
        steps.append(targets)
    return steps

