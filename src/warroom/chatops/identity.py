"""Who a chat user is in warroom: linked by the verified email the chat tool
gives for them, cached in ``chat_identities``.

A chat user whose email matches no (or more than one) active warroom user is
unlinked: they may read, not act. A link is looked up again after
:data:`REFRESH`, so a person given an account (or a changed address) is
picked up without anyone clearing a cache; a disabled warroom user stops
acting at once, because the user row is read on every command.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from warroom.auth import service as users
from warroom.chatops.models import ChatIdentity
from warroom.chatops.provider import ChatUnavailable
from warroom.db import Actor

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.auth.models import User
    from warroom.chatops.provider import ChatProvider
    from warroom.clock import Clock
    from warroom.db import Database

REFRESH = timedelta(hours=24)


@dataclass(frozen=True)
class Person:
    """The chat user behind an invocation and their warroom user, if linked."""

    provider: str
    external_id: str
    user_id: int | None
    username: str | None
    role: str | None

    @property
    def linked(self) -> bool:
        return self.user_id is not None

    @property
    def label(self) -> str:
        """``alice (slack U123)``: the audit actor names both."""
        chat = f"{self.provider} {self.external_id}"
        return f"{self.username} ({chat})" if self.username else chat

    def actor(self) -> Actor:
        if self.user_id is None:
            return Actor(name=self.label, kind="integration")
        return Actor(name=self.label, kind="user", user_id=self.user_id, role=self.role)


def resolve(database: Database, clock: Clock, provider: ChatProvider,
            external_id: str) -> Person:
    """The linked person, asking the chat tool for the email only when the
    cached link is missing or old (outside any transaction: the call may take
    a second)."""
    now = clock.now()
    if not external_id:
        return Person(provider.name, "unknown", None, None, None)
    with database.read() as session:
        cached = _cached(session, provider.name, external_id)
        if cached is not None and cached.resolved_at > now - REFRESH:
            return _person(session, provider.name, external_id, cached.user_id)
    try:
        email = provider.email_of(external_id)
    except ChatUnavailable:
        # The chat tool is away: keep the last link, and remember nothing new.
        with database.read() as session:
            return _person(session, provider.name, external_id,
                           cached.user_id if cached else None)
    with database.unit_of_work(Actor(name=f"{provider.name} {external_id}",
                                     kind="integration"), clock=clock) as uow:
        user = users.get_by_email(uow.session, email=email) if email else None
        row = _cached(uow.session, provider.name, external_id)
        if row is None:
            row = ChatIdentity(provider=provider.name, external_id=external_id)
            uow.session.add(row)
        row.email, row.user_id, row.resolved_at = email, user.id if user else None, now
        return _person(uow.session, provider.name, external_id, row.user_id)


def person_for_user(session: Session, provider: str, external_id: str) -> User | None:
    """The warroom user a chat user is linked to (for ``assign ... @user``)."""
    row = _cached(session, provider, external_id)
    return users.get(session, user_id=row.user_id) if row and row.user_id else None


def _cached(session: Session, provider: str, external_id: str) -> ChatIdentity | None:
    return session.scalar(select(ChatIdentity).where(ChatIdentity.provider == provider,
                                                     ChatIdentity.external_id == external_id))


def _person(session: Session, provider: str, external_id: str, user_id: int | None) -> Person:
    user = users.get(session, user_id=user_id) if user_id else None
    if user is None or not user.is_active:
        return Person(provider, external_id, None, None, None)
    return Person(provider, external_id, user.id, user.username, user.role)
