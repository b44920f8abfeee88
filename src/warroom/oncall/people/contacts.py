"""How to reach people right now: the plan the pager follows.

A person's notification rules say which contact method to use how many
minutes after they are paged. Without rules, every contact method is used at
once; without contact methods, the email address on their user record. A
person with none of these cannot be reached, and a step that reaches nobody
moves on (see :mod:`warroom.oncall.escalation.firing`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from warroom import sealing
from warroom.auth import service as users
from warroom.notify.service import PersonRoute
from warroom.oncall.people.models import ContactMethod, NotificationRule, Profile

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.auth.models import User


@dataclass(frozen=True)
class Reach:
    """Send on ``channel`` to ``destination`` ``delay_minutes`` after paging."""

    channel: str
    destination: str
    delay_minutes: int
    signing_secret: str | None
    method_id: int | None
    """None for the fallback to the user record's email address."""


@dataclass(frozen=True)
class Reachable:
    user_id: int
    username: str
    display_name: str
    reaches: tuple[Reach, ...]
    renotify_minutes: int | None


def load(session: Session, user_ids: list[int] | set[int]) -> dict[int, Reachable]:
    """Active people among ``user_ids`` with their plan (three queries in all)."""
    ids = list(set(user_ids))
    if not ids:
        return {}
    renotify = dict(session.execute(select(Profile.user_id, Profile.renotify_minutes)
                                    .where(Profile.user_id.in_(ids))).all())
    people = [(person, renotify.get(person.id))
              for person in users.get_many(session, ids=ids).values() if person.is_active]
    methods: dict[int, dict[int, ContactMethod]] = {}
    rules: dict[int, list[tuple[int, int, int]]] = {}
    for method, rule_id, delay in session.execute(
            select(ContactMethod, NotificationRule.id, NotificationRule.delay_minutes)
            .outerjoin(NotificationRule, NotificationRule.contact_method_id == ContactMethod.id)
            .where(ContactMethod.user_id.in_(ids)).order_by(ContactMethod.id)):
        methods.setdefault(method.user_id, {})[method.id] = method
        if rule_id is not None:
            rules.setdefault(method.user_id, []).append((delay, rule_id, method.id))
    return {person.id: Reachable(
        user_id=person.id, username=person.username,
        display_name=person.display_name or person.username,
        reaches=_plan(person, methods.get(person.id, {}), sorted(rules.get(person.id, []))),
        renotify_minutes=renotify) for person, renotify in people}


def person_routes(session: Session, user: User) -> list[PersonRoute]:
    """For ``notify.service.notify_person``: the contact methods used at once."""
    found = load(session, [user.id]).get(user.id)
    if found is None:
        return []
    return [PersonRoute(channel=r.channel, destination=r.destination,
                        signing_secret=r.signing_secret, label=r.channel)
            for r in found.reaches if r.delay_minutes == 0]


def _plan(person: User, methods: dict[int, ContactMethod],
          rules: list[tuple[int, int, int]]) -> tuple[Reach, ...]:
    """``rules`` are (delay, rule id, method id), in the order they apply."""
    if rules:
        return tuple(_reach(methods[method_id], delay) for delay, _, method_id in rules)
    if methods:
        return tuple(_reach(m, 0) for m in methods.values())
    if person.email:
        return (Reach("email", person.email, 0, None, None),)
    return ()


def _reach(method: ContactMethod, delay_minutes: int) -> Reach:
    secret = sealing.unseal(method.secret_sealed) if method.secret_sealed else None
    address = sealing.unseal(method.address_sealed) if method.address_sealed \
        else method.address
    return Reach(channel=method.kind, destination=address, delay_minutes=delay_minutes,
                 signing_secret=secret, method_id=method.id)
