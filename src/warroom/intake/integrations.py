"""Integrations: one secret key per sending tool, for tools that cannot send an
``Authorization`` header (or should not hold a person's token).

The key is 32 hexadecimal characters, the shape of a PagerDuty routing key, so
tools that check it accept it. It is shown once and stored as a SHA-256 hash
(it carries 128 random bits; a slow hash buys nothing). An Alertmanager or
generic integration puts the key in its URL; a PagerDuty integration sends it
as ``routing_key``. A key only works on its own kind of receiver.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from warroom.audit import service as audit
from warroom.config import get_settings
from warroom.db import Actor, UnitOfWork
from warroom.errors import Conflict, NotFound
from warroom.intake import switches
from warroom.intake.models import Integration
from warroom.intake.sources import SOURCES

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

PATHS = {source.name: source.integration_path for source in SOURCES
         if source.integration_path is not None}
"""Where each kind of integration sends, by kind (a source's name)."""
KINDS = tuple(PATHS)


@dataclass(frozen=True)
class Caller:
    """An authenticated integration, as the receivers need it."""

    id: int
    name: str
    kind: str

    @property
    def actor(self) -> Actor:
        return Actor(name=self.name, kind="integration")


@dataclass(frozen=True)
class IssuedIntegration:
    integration: Integration
    key: str


def create(uow: UnitOfWork, *, name: str, kind: str) -> IssuedIntegration:
    if uow.session.scalar(select(Integration.id).where(Integration.name == name)) is not None:
        raise Conflict(f"An integration named {name!r} already exists.")
    key = secrets.token_hex(16)
    integration = Integration(name=name, kind=kind, key_hash=_hash(key), prefix=key[:6],
                              created_at=uow.now(), created_by=uow.actor.label)
    uow.session.add(integration)
    uow.session.flush()
    audit.record(uow, action="integration.create", target=f"integration:{name}",
                 after={"kind": kind, "prefix": integration.prefix})
    return IssuedIntegration(integration, key)


def get_all(session: Session) -> list[Integration]:
    return list(session.scalars(select(Integration).order_by(Integration.id)))


def revoke(uow: UnitOfWork, *, integration_id: int) -> Integration:
    integration = uow.session.get(Integration, integration_id)
    if integration is None:
        raise NotFound(f"There is no integration {integration_id}.")
    if integration.revoked_at is None:
        integration.revoked_at = uow.now()
        audit.record(uow, action="integration.revoke", target=f"integration:{integration.name}",
                     after={"revoked_at": integration.revoked_at})
        uow.after_commit(_cache.clear)
    return integration


def reissue_all(uow: UnitOfWork) -> list[IssuedIntegration]:
    """Give every live integration a new key; the old ones stop working at
    once (the cache is cleared on commit)."""
    issued = []
    for integration in uow.session.scalars(select(Integration).where(
            Integration.revoked_at.is_(None)).order_by(Integration.id)):
        key = secrets.token_hex(16)
        before = integration.prefix
        integration.key_hash, integration.prefix = _hash(key), key[:6]
        audit.record(uow, action="integration.rekey", target=f"integration:{integration.name}",
                     before={"prefix": before}, after={"prefix": integration.prefix})
        issued.append(IssuedIntegration(integration, key))
    uow.after_commit(_cache.clear)
    return issued


def url(integration: Integration, key: str | None = None) -> str:
    """Where the tool sends alerts; with the key when it is known (at creation)."""
    shown = key or f"{integration.prefix}..."
    return get_settings().base_url + PATHS[integration.kind].format(key=shown)


def authenticate(session: Session, *, key: str, kind: str) -> Caller | None:
    """The integration this key belongs to, if it is live and of this kind.
    Remembered for ``WARROOM_TOKEN_CACHE_SECONDS`` like API tokens."""
    place = switches.database_key(session)
    remembered = _cache.get((place, key))
    if remembered is not None:
        return remembered if remembered.kind == kind else None
    row = session.execute(select(Integration.id, Integration.name, Integration.kind)
                          .where(Integration.key_hash == _hash(key),
                                 Integration.revoked_at.is_(None))).first()
    if row is None:
        return None
    caller = Caller(*row)
    _cache.put((place, key), caller)
    return caller if caller.kind == kind else None


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class _Remembered:
    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], tuple[float, Caller]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> Caller | None:
        hit = self._entries.get(key)
        return hit[1] if hit is not None and hit[0] > time.monotonic() else None

    def put(self, key: tuple[str, str], caller: Caller) -> None:
        ttl = get_settings().token_cache_seconds
        if ttl <= 0:
            return
        with self._lock:
            if len(self._entries) > 10_000:
                self._entries.clear()
            self._entries[key] = (time.monotonic() + ttl, caller)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_cache = _Remembered()
