"""Points where other domains follow message delivery."""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.hooks import Hook

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.auth.models import User
    from warroom.db import UnitOfWork
    from warroom.notify.models import OutboxMessage
    from warroom.notify.service import PersonRoute


def _message_event(uow: UnitOfWork, message: OutboxMessage) -> None: ...


def _person_routes(session: Session, user: User) -> list[PersonRoute]:
    """How to reach a person now; when no listener answers, a person is
    reached by the email address on their user record."""
    return []


dead_lettered = Hook("outbox.dead_lettered", _message_event,
                     "A message failed its last attempt.")
delivered = Hook("outbox.delivered", _message_event, "A message was delivered.")
person_routes = Hook("outbox.person_routes", _person_routes,
                     "How to reach a person (the on-call domain reads contact methods).")
