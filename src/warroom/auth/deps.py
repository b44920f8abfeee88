"""FastAPI dependencies: who is calling, and may they do this?

Every route declares its permission with ``requires(Permission.x)`` or says it
is open with ``public()``; the route x role test finds these markers on each
route's dependency tree.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from warroom.auth import service
from warroom.auth.permissions import (
    INCIDENT_ROLE_GRANTS,
    Permission,
    allows,
    lowest_role_with,
    roles_granting,
)
from warroom.db import Actor
from warroom.errors import Forbidden, Unauthorized

Authenticate = Callable[[Request], Actor]
"""Finds who is calling from a request, or raises :class:`Unauthorized`. The
API reads a bearer token; other dialects (a drop-in API's own header, the
console's session cookie) pass their own, and the permission table is the same."""


class Requirement:
    """A dependency that authenticates the caller and checks one permission."""

    def __init__(self, permission: Permission, authenticate: Authenticate | None = None) -> None:
        self.permission = permission
        self.authenticate: Authenticate = authenticate or authenticated_actor

    def __call__(self, request: Request) -> Actor:
        actor = self.authenticate(request)
        if actor.role is None or not allows(actor.role, self.permission):
            needed = lowest_role_with(self.permission)
            raise Forbidden(f"Your role ({actor.role}) may not do this: it needs the "
                            f"'{self.permission}' permission, which {needed} and above have.")
        return actor


RolesHeld = Callable[[Session, dict[str, Any], int], set[str]]
"""The incident roles a user holds on the open incident a request names
(from its path parameters); empty when it names none."""


class IncidentScopedRequirement(Requirement):
    """A permission that a role on the incident the route names also grants
    (see ``INCIDENT_ROLE_GRANTS``). Only tokens that carry their owner's full
    role get it: a capped token stays as small as it was made."""

    def __init__(self, permission: Permission, roles_held: RolesHeld,
                 authenticate: Authenticate | None = None) -> None:
        super().__init__(permission, authenticate)
        self.roles_held = roles_held

    def __call__(self, request: Request) -> Actor:
        actor = self.authenticate(request)
        if actor.role is not None and allows(actor.role, self.permission):
            return actor
        if actor.user_id is not None and self._granted(request, actor):
            return actor
        granting = " or ".join(roles_granting(self.permission))
        raise Forbidden(f"Your role ({actor.role}) may not do this: it needs the "
                        f"'{self.permission}' permission, which "
                        f"{lowest_role_with(self.permission)} and above have, or holding "
                        f"{granting} on this open incident (with a token not capped below "
                        "your role).")

    def _granted(self, request: Request, actor: Actor) -> bool:
        with request.app.state.database.read() as session:
            owner = service.get(session, user_id=actor.user_id or 0)
            if owner is None or owner.role != actor.role:
                return False
            held = self.roles_held(session, dict(request.path_params), owner.id)
        return any(self.permission in INCIDENT_ROLE_GRANTS.get(role, ()) for role in held)


class PublicMarker:
    """Marks a route as deliberately open to anonymous callers."""

    public = True

    def __call__(self) -> None:
        return None


def requires(permission: Permission, authenticate: Authenticate | None = None) -> Any:
    """The route needs ``permission``; ``authenticate`` says how the caller is
    found (a bearer token unless given)."""
    return Depends(Requirement(permission, authenticate))


def requires_on_incident(permission: Permission, roles_held: RolesHeld,
                         authenticate: Authenticate | None = None) -> Any:
    """``requires(permission)``, or a role on the incident the route names
    that grants it."""
    return Depends(IncidentScopedRequirement(permission, roles_held, authenticate))


def public() -> Any:
    return Depends(PublicMarker())


def authenticated_actor(request: Request) -> Actor:
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Unauthorized("Send an API token as 'Authorization: Bearer <token>'.")
    return actor_for_token(request, secret.strip())


def actor_for_token(request: Request, secret: str) -> Actor:
    """Who an API token belongs to, however the request carried it."""
    actor = token_cache(request).lookup(request, secret)
    if actor is None:
        raise Unauthorized("This API token is unknown, expired or revoked.")
    return actor


def sees_contacts(actor: Actor, owner: str | None = None) -> bool:
    """Whether answers to ``actor`` may carry contact addresses: their own
    always, other people's with ``contact:read`` (commanders and admins)."""
    if owner is not None and owner == actor.name and actor.kind == "user":
        return True
    return actor.role is not None and allows(actor.role, Permission.contact_read)


class TokenCache:
    """Remembers recent token checks for a few seconds, so a busy receiver does
    not pay a database round trip per request. Revoking in this process clears
    it; other processes see a revocation within ``ttl`` seconds."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._entries: dict[str, tuple[float, Actor]] = {}
        self._lock = threading.Lock()

    def lookup(self, request: Request, secret: str) -> Actor | None:
        state = request.app.state
        hit = self._entries.get(secret)
        if hit is not None and hit[0] > time.monotonic():
            return hit[1]
        now = state.clock.now()
        with state.database.read() as session:
            found = service.authenticate(session, secret=secret, now=now)
        if found is None:
            return None
        actor, stale = found
        if stale and actor.token_id is not None:
            with state.database.unit_of_work(actor, clock=state.clock) as uow:
                service.touch_token(uow, token_id=actor.token_id)
        if self.ttl > 0:
            with self._lock:
                if len(self._entries) > 10_000:
                    self._entries.clear()
                self._entries[secret] = (time.monotonic() + self.ttl, actor)
        return actor

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def token_cache(request: Request) -> TokenCache:
    return request.app.state.token_cache
