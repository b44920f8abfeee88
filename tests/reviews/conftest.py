"""Review tests declare incidents and walk them through their life with a
moving clock, as the playbook tests do."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.playbooks.conftest import assign, configure, declare, worker
from warroom import config
from warroom.auth import service as users
from warroom.db import Actor
from warroom.incidents import service as incidents

__all__ = ["assign", "configure", "declare", "worker"]


@pytest.fixture(autouse=True)
def shipped_review_policy(settings, monkeypatch):
    """The close gate is what these tests are about: the shipped policy."""
    monkeypatch.delenv("WARROOM_REVIEWS_POLICY_FILE")
    config.reset()


@pytest.fixture
def walk(work, clock):
    """``walk(ref, [("ack", 3), ("containment", 10), ...])``: advance the clock
    by each step's minutes, then acknowledge or move to that phase."""

    def run(ref: str, steps: list[tuple[str, float]], actor: Actor | None = None) -> None:
        for what, minutes in steps:
            clock.advance(timedelta(minutes=minutes))
            with work(actor) as uow:
                incident = incidents.get_for_update(uow, ref=ref)
                if what == "ack":
                    incidents.acknowledge(uow, incident=incident)
                else:
                    incidents.transition(uow, incident=incident, target=what,
                                         override_reason="test walk")

    return run


@pytest.fixture
def as_user(database, clock):
    """``as_user("responder")``: an Actor for that test user."""

    def make(username: str) -> Actor:
        with database.read() as session:
            user = users.get_by_username_or_raise(session, username=username)
            return Actor(name=user.username, kind="user", user_id=user.id, role=user.role)

    return make
