"""On-call fixtures: a worker on the test clock and an organisation whose
people are reached through webhooks into the local receiver (one path per
person), so each test sees exactly who was paged, when, and with what."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pytest

from warroom import config
from warroom.auth import service as users
from warroom.db import Actor, Database
from warroom.incidents import service as incidents
from warroom.oncall.people import service as people_service
from warroom.oncall.positions import service as positions
from warroom.worker import Worker

if TYPE_CHECKING:
    from collections.abc import Iterator
    from datetime import datetime

    from tests.support.receivers import Receiver
    from warroom.clock import FrozenClock
    from warroom.oncall.targets import TargetSpec

SECRET = "whsec_b25jYWxsLXRlc3Qtc2lnbmluZy1zZWNyZXQ="
POSITIONS = {"on_call_engineer": "oce", "team_lead": "lead", "engineering_manager": "em",
             "vp_engineering": "vp", "cto": "cto"}


@pytest.fixture
def worker(database: Database, clock: FrozenClock) -> Iterator[Worker]:
    started = Worker(database, config.get_settings(), clock, name="oncall-test")
    yield started
    started.close()


@dataclass
class Org:
    """People, positions and incidents for a test, reached at the receiver."""

    database: Database
    clock: FrozenClock
    receiver: Receiver
    worker: Worker
    seen: int = 0
    ids: dict[str, int] = field(default_factory=dict)

    def unit(self, actor: str = "admin") -> Any:
        return self.database.unit_of_work(Actor(name=actor, kind="user", role="admin"),
                                          clock=self.clock)

    def person(self, username: str, *, role: str = "responder", webhook: bool = True,
               email: str | None = None) -> int:
        with self.unit() as uow:
            user = users.create(uow, username=username, role=role, email=email)
            if webhook:
                people_service.add_contact_method(uow, user=user, kind="webhook",
                                                  address=f"{self.receiver.url}/{username}",
                                                  secret=SECRET)
            self.ids[username] = user.id
            return user.id

    def rules(self, username: str, *plan: tuple[str, int]) -> None:
        """Notification rules: (path at the receiver, minutes after the page)."""
        with self.unit() as uow:
            user = users.get_by_username_or_raise(uow.session, username=username)
            known = {m.address: m for m in people_service.contact_methods(uow.session,
                                                                           user=user)}
            for path, minutes in plan:
                address = f"{self.receiver.url}/{path}"
                method = known.get(address) or people_service.add_contact_method(
                    uow, user=user, kind="webhook", address=address)
                people_service.add_notification_rule(uow, user=user, method_id=method.id,
                                                     delay_minutes=minutes)

    def ack_url(self, path: str) -> str:
        """The acknowledge link of the last page that arrived at ``path``."""
        last = [r for r in self.receiver.requests if r.path == path and
                r.json()["event"] == "page"][-1]
        return last.json()["ack_url"].split("8080", 1)[1]

    def timeline(self, ref: str, kind: str | None = None) -> list[Any]:
        from warroom.incidents import timeline

        with self.database.read() as session:
            incident = incidents.get_by_ref_or_raise(session, ref=ref)
            return timeline.get_all(session, incident_id=incident.id, kind=kind)

    def outbox(self, **filters: Any) -> list[Any]:
        from warroom.notify import service as outbox

        with self.database.read() as session:
            return outbox.get_all(session, limit=500, **filters)

    def bind(self, position: str, *targets: str, service: str = "") -> None:
        from warroom.oncall.targets import parse

        with self.unit() as uow:
            positions.bind(uow, position=position, targets=[parse(t) for t in targets],
                           service=service)

    def staff_positions(self) -> None:
        """One person per shipped position, bound directly."""
        for position, username in POSITIONS.items():
            self.person(username)
            self.bind(position, f"user:{username}")

    def declare(self, severity: str = "sev1", **fields: Any) -> str:
        context = fields.pop("context", {})
        with self.unit("responder") as uow:
            incident = incidents.declare(uow, declaration=incidents.Declaration(
                type=fields.pop("type", "service_outage"), severity=severity,
                title=fields.pop("title", "Chat is down"), context=context, **fields))
            return incident.ref

    def tick(self) -> list[Any]:
        """Run the worker once; the webhook requests that arrived since last time."""
        self.worker.run_once()
        fresh = self.receiver.requests[self.seen:]
        self.seen = len(self.receiver.requests)
        return fresh

    def paged(self) -> list[str]:
        """Who got a page (not a notice) since last time, in order."""
        return [r.path.strip("/") for r in self.tick() if r.json()["event"] == "page"]

    def at(self, start: datetime, **delta: float) -> None:
        from datetime import timedelta

        self.clock.set(start + timedelta(**delta))


@pytest.fixture
def org(database, clock, receiver, worker, people) -> Org:
    return Org(database=database, clock=clock, receiver=receiver, worker=worker,
               ids={name: 0 for name in ()})


def target(text: str) -> TargetSpec:
    from warroom.oncall.targets import parse

    return parse(text)
