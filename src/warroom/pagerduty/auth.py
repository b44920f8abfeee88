"""Who is calling, as PagerDuty clients say it.

The token is a warroom API token sent as PagerDuty sends one
(``Authorization: Token token=<token>``; a warroom ``Bearer`` token works
too). The permission table is warroom's.

PagerDuty's ``From:`` header names the person acting on calls that change an
incident, and PagerDuty requires it with an account-wide ("general access")
token; a user token acts as its user. warroom does the same: a service
account's token (``warroom token create --name ...``, the general
access token of scripts) needs ``From:``, which maps to the active warroom
user with that email address (or username); a person's token acts as that
person.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.auth import service as users
from warroom.auth.deps import actor_for_token
from warroom.errors import Unauthorized
from warroom.pagerduty.errors import invalid

if TYPE_CHECKING:
    from fastapi import Request
    from sqlalchemy.orm import Session

    from warroom.auth.models import User
    from warroom.db import Actor

HINT = ("Send a warroom API token as PagerDuty clients do: "
        "'Authorization: Token token=<warroom API token>'.")


def token_actor(request: Request) -> Actor:
    """An :data:`~warroom.auth.deps.Authenticate` for PagerDuty's header."""
    header = request.headers.get("authorization", "")
    scheme, _, rest = header.strip().partition(" ")
    secret = ""
    if scheme.lower() == "token":
        secret = rest.strip().removeprefix("token=").strip().strip('"')
    elif scheme.lower() == "bearer":
        secret = rest.strip()
    if not secret:
        raise Unauthorized(HINT)
    return actor_for_token(request, secret)


def requester(session: Session, request: Request, actor: Actor) -> User:
    """Who acts: a person's token is its owner; otherwise the user the
    ``From:`` header names (PagerDuty refuses the call without one, and so
    does warroom, with PagerDuty's error)."""
    owner = users.get(session, user_id=actor.user_id) if actor.user_id else None
    if owner is not None and not owner.is_service_account:
        return owner
    sender = request.headers.get("from", "").strip()
    if not sender:
        raise invalid("You must specify a user's email address in the \"From\" header to "
                      "perform this action (a warroom user's email address or username).")
    wanted = sender.lower()
    for user in users.get_all(session):
        if (user.email or "").lower() == wanted or user.username.lower() == wanted:
            return user
    raise invalid(f"Requester User Not Found: no active warroom user has the email address "
                  f"or username {sender!r} given in the \"From\" header.")
