"""Page, notify and alert for many escalations at once.

A :class:`Pager` serves one batch: the engine cycle's due timers, or a single
escalation starting inside the transaction that declared its incident (so the
first page commits with the incident). It resolves targets once per batch,
loads people's contact plans in bulk, and gathers every write in
:class:`Writes`, which the caller flushes with one INSERT per table. Its
timeline events go straight to the unit of work, which writes them with every
other event, in call order, at commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import insert

from warroom.auth import links
from warroom.auth import service as users
from warroom.incidents import timeline
from warroom.notify import service as outbox
from warroom.oncall.escalation import acklinks, messages
from warroom.oncall.escalation.messages import Why
from warroom.oncall.escalation.models import Escalation, Page, Timer
from warroom.oncall.people import contacts
from warroom.oncall.policies.document import Policy
from warroom.oncall.resolve import Resolver
from warroom.oncall.targets import TargetSpec

if TYPE_CHECKING:
    from collections.abc import Sequence

    from sqlalchemy.orm import Session

    from warroom.auth.models import User
    from warroom.db import UnitOfWork
    from warroom.incidents.models import Incident
    from warroom.notify.service import Outgoing
    from warroom.oncall.people.contacts import Reachable

DRILL_PARTICIPANTS = "drill_participants"
"""The incident label that names a drill's participants: usernames and
``team:<name>``, separated by commas."""
DRILL_PAGE_REAL = "drill_page_real"
"""Set to ``confirmed`` (by an admin starting a drill with ``--page-real``), a drill
pages the real rotation as a real incident would."""


@dataclass
class Writes:
    """Rows a batch will insert, flushed together. Rows name their escalation
    by object, so a new escalation is inserted once, in its final state, when
    the batch is flushed (no insert-then-update)."""

    pages: list[tuple[Escalation, dict[str, Any]]] = field(default_factory=list)
    messages: list[Outgoing] = field(default_factory=list)
    timers: list[tuple[Escalation, dict[str, Any]]] = field(default_factory=list)

    def timer(self, escalation: Escalation, kind: str, due_at: datetime,
              data: dict[str, Any] | None = None) -> None:
        self.timers.append((escalation, {"kind": kind, "status": "pending", "due_at": due_at,
                                         "generation": escalation.generation, "data": data,
                                         "fired_at": None}))

    def flush(self, uow: UnitOfWork) -> None:
        uow.session.flush()
        if self.pages:
            uow.session.execute(insert(Page), _with_ids(self.pages))
        outbox.enqueue_many(uow, messages=self.messages)
        if self.timers:
            uow.session.execute(insert(Timer), _with_ids(self.timers))
        self.pages, self.messages, self.timers = [], [], []


@dataclass(frozen=True)
class Reached:
    people: list[Reachable]
    unreachable: list[str]
    left_out: list[str]


class Pager:
    def __init__(self, uow: UnitOfWork, *, renotify_pending: set[tuple[int, int]] | None = None
                 ) -> None:
        self.uow = uow
        self.session: Session = uow.session
        self.now = uow.now()
        self.resolver = Resolver(uow.session, self.now)
        self.writes = Writes()
        self.renotify_pending = renotify_pending if renotify_pending is not None else set()
        self._people: dict[int, Reachable | None] = {}
        self._participants: dict[int, set[int]] = {}
        self._policies: dict[bytes, Policy] = {}
        self._admins: list[User] | None = None
        self._link_key: bytes | None = None

    def event(self, incident: Incident, kind: str, summary: str,
              data: dict[str, Any] | None = None) -> None:
        """Say on the incident's timeline what the batch did (the unit of work
        writes it in order with every other event, at commit)."""
        timeline.add(self.uow, incident_id=incident.id, kind=kind, summary=summary, data=data)

    @property
    def link_key(self) -> bytes:
        """The acknowledge links' signing key, read once per batch."""
        if self._link_key is None:
            self._link_key = links.current_key(self.session)
        return self._link_key

    def policy(self, escalation: Escalation) -> Policy:
        """The escalation's own copy of its policy (parsed once per batch)."""
        key = orjson.dumps(escalation.policy, option=orjson.OPT_SORT_KEYS)
        if key not in self._policies:
            self._policies[key] = Policy.model_validate(escalation.policy)
        return self._policies[key]

    def recipients(self, incident: Incident, targets: Sequence[TargetSpec]) -> Reached:
        """Who the targets point at now, split into those who can be reached,
        those who cannot (no contact method, no email), and, in a drill,
        those left out because they are not taking part."""
        ids = self.resolver.people(targets, tuple(incident.services or ()))
        left_out: list[int] = []
        if incident.is_drill and (incident.labels or {}).get(DRILL_PAGE_REAL) != "confirmed":
            allowed = self.participants(incident)
            left_out = [i for i in ids if i not in allowed]
            ids = [i for i in ids if i in allowed]
        self._load(ids + left_out)
        found = [p for i in ids if (p := self._people.get(i)) is not None]
        return Reached(people=[p for p in found if p.reaches],
                       unreachable=[p.username for p in found if not p.reaches],
                       left_out=[p.username for i in left_out
                                 if (p := self._people.get(i)) is not None])

    def prefetch(self, wanted: Sequence[tuple[Incident, Sequence[TargetSpec]]]) -> None:
        """Resolve each incident's targets and load the contact plans of
        everyone they reach in a few queries for the whole batch, so the
        recipients() calls that follow are answered from memory."""
        ids: list[int] = []
        for incident, targets in wanted:
            services = tuple(incident.services or ())
            self.resolver.prefetch(targets, services)
            ids.extend(self.resolver.people(targets, services))
        self._load(ids)

    def person(self, user_id: int) -> Reachable | None:
        self._load([user_id])
        return self._people.get(user_id)

    def participants(self, incident: Incident) -> set[int]:
        if incident.id not in self._participants:
            names = (incident.labels or {}).get(DRILL_PARTICIPANTS, "")
            specs = []
            for name in (n.strip().lower() for n in names.split(",") if n.strip()):
                kind, _, rest = name.partition(":")
                if len(name) > 64:
                    continue  # no such user or team: label values are free text
                specs.append(TargetSpec(team=rest) if kind == "team" and rest
                             else TargetSpec(user=name))
            self._participants[incident.id] = set(self.resolver.people(specs))
        return self._participants[incident.id]

    def page(self, escalation: Escalation, incident: Incident, people: list[Reachable], *,
             reason: str, step_index: int, headline: str, key: str) -> None:
        """Page each person on every way their notification rules say."""
        for person in people:
            why = Why(headline=headline, ack_url=acklinks.url_for(
                self.link_key, incident_id=incident.id, user_id=person.user_id, now=self.now))
            self.writes.pages.append((escalation, {
                "incident_id": incident.id, "user_id": person.user_id, "reason": reason,
                "step_index": step_index, "loop": escalation.loop, "at": self.now}))
            for number, reach in enumerate(person.reaches):
                later = self.now + timedelta(minutes=reach.delay_minutes) \
                    if reach.delay_minutes else None
                self.writes.messages.append(messages.page(
                    incident, reach, why, key=f"{key}:{person.user_id}:{number}",
                    recipient=person.username, not_before=later))
            self._renotify_later(escalation, person)

    def tell(self, incident: Incident, people: list[Reachable], *, headline: str, key: str,
             kind: str = "notice") -> None:
        """Tell people about the incident; no acknowledgement asked."""
        for person in people:
            for number, reach in enumerate(person.reaches):
                self.writes.messages.append(messages.notice(
                    incident, reach, Why(headline=headline),
                    key=f"{key}:{person.user_id}:{number}", recipient=person.username,
                    kind=kind))

    def alert_admins(self, incident: Incident, *, problem: str, key: str) -> None:
        """Email every admin (not for drills: a drill must not wake anyone
        who is not taking part)."""
        if incident.is_drill:
            return
        if self._admins is None:
            self._admins = users.active_admins_with_email(self.session)
        for admin in self._admins:
            self.writes.messages.append(messages.admin_alert(
                incident, email=admin.email or "", username=admin.username,
                key=f"admin_alert:oncall:{key}:{admin.id}", problem=problem))

    def _renotify_later(self, escalation: Escalation, person: Reachable) -> None:
        if not person.renotify_minutes:
            return
        if (escalation.id, person.user_id) in self.renotify_pending:
            return
        self.renotify_pending.add((escalation.id, person.user_id))
        self.writes.timer(escalation, "renotify",
                          self.now + timedelta(minutes=person.renotify_minutes),
                          {"user_id": person.user_id})

    def _load(self, ids: list[int]) -> None:
        missing = [i for i in ids if i not in self._people]
        if missing:
            loaded = contacts.load(self.session, missing)
            for person_id in missing:
                self._people[person_id] = loaded.get(person_id)


def _with_ids(rows: list[tuple[Escalation, dict[str, Any]]]) -> list[dict[str, Any]]:
    return [{"escalation_id": escalation.id, **row} for escalation, row in rows]


def names(people: list[Reachable]) -> str:
    return ", ".join(p.username for p in people)
