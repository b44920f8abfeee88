"""Signing in without the sign-in form: mint a session with the console's own
``start_session`` and hand the cookie to a test client or browser context, so
these helpers keep working whatever the sign-in screen becomes; and walking
an incident to the phase where a screen (the review) starts."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from warroom.auth import service as users
from warroom.console.session import SESSION_COOKIE, start_session
from warroom.db import Actor
from warroom.incidents import service as incidents

if TYPE_CHECKING:
    from warroom.clock import Clock
    from warroom.db import Database

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def session_cookie(database: Database, clock: Clock, username: str) -> str:
    with database.read() as session:
        user = users.get_by_username_or_raise(session, username=username)
        user_id = user.id
    with database.unit_of_work(Actor(name=username, user_id=user_id), clock=clock) as uow:
        return start_session(uow, user_id=user_id, address="127.0.0.1", method="password")


def sign_in(target: Any, database: Database, clock: Clock, username: str,
            url: str = "http://testserver") -> str:
    """Sign ``username`` in on a TestClient or a Playwright browser context."""
    cookie = session_cookie(database, clock, username)
    if hasattr(target, "add_cookies"):
        target.add_cookies([{"name": SESSION_COOKIE, "value": cookie, "url": url}])
    else:
        target.cookies.set(SESSION_COOKIE, cookie)
    return cookie


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no csrf_token field on the page"
    return found.group(1)


def walk_to_lessons_learned(work: Any, clock: Clock, ref: str) -> None:
    """Acknowledge the incident, then move it to recovery and lessons_learned,
    ten minutes apart on the test clock (gates overridden: a test walk)."""
    for what in ("ack", "recovery", "lessons_learned"):
        clock.advance(timedelta(minutes=10))
        with work() as uow:
            incident = incidents.get_for_update(uow, ref=ref)
            if what == "ack":
                incidents.acknowledge(uow, incident=incident)
            else:
                incidents.transition(uow, incident=incident, target=what,
                                     override_reason="test walk")
