"""Queue, cancel and inspect outbound messages.

Messages are written in the caller's unit of work, so they exist exactly when
the change that caused them commits. Nothing is ever sent inline.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, cast

import orjson
from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from warroom import outbound, sealing, wakeup
from warroom.auth import service as users
from warroom.config import get_settings
from warroom.errors import Invalid, NotFound, one_of
from warroom.incidents import service as incidents
from warroom.notify import hooks
from warroom.notify.channels import CHANNELS
from warroom.notify.models import DeliveryAttempt, OutboxMessage

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork

STATUSES = ("pending", "sending", "sent", "dead", "cancelled")
SEALED_CHANNELS = ("slack",)
"""Channels whose destination is a credential (a Slack incoming-webhook URL):
stored encrypted, shown in the outbox and on the timeline only as a label."""
SEALED_LINK = "[link sealed; sent only to the recipient]"
DRILL_MARK = "[DRILL]"
DRILL_HEADER = "X-Warroom-Drill"


@dataclass
class Outgoing:
    """A message to queue. ``key`` makes queuing idempotent: queuing the same
    key twice keeps the first message."""

    channel: str
    destination: str
    kind: str
    body: str = ""
    subject: str | None = None
    payload: dict[str, Any] | None = None
    headers: dict[str, str] | None = None
    signing_secret: str | None = None
    incident_id: int | None = None
    group_key: str | None = None
    recipient: str | None = None
    key: str | None = None
    not_before: datetime | None = None
    max_attempts: int | None = None
    credentials: tuple[str, ...] = ()
    """One-click links (or their tokens) in the content: the content is then
    stored sealed, and the readable copy has them cut out."""


def enqueue(uow: UnitOfWork, *, message: Outgoing) -> OutboxMessage:
    _check(message)
    message = _marked(message, _drill_ids(uow.session, [message]))
    key = message.key or f"{message.kind}:{secrets.token_hex(12)}"
    if message.key:
        existing = uow.session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
        if existing is not None:
            return existing
    now = uow.now()
    row = OutboxMessage(**_columns(message, key=key, now=now))
    uow.session.add(row)
    uow.session.flush()
    if row.next_attempt_at <= now:
        wakeup.notify(uow)
    return row


def enqueue_many(uow: UnitOfWork, *, messages: list[Outgoing]) -> int:
    """Queue many messages with one statement (an escalation cycle may page
    thousands of people at once). As with :func:`enqueue`, a key that is
    already queued keeps its first message. Returns how many were given."""
    if not messages:
        return 0
    now = uow.now()
    rows = []
    drills = _drill_ids(uow.session, messages)
    for message in messages:
        _check(message)
        message = _marked(message, drills)
        rows.append(_columns(message, key=message.key or f"{message.kind}:"
                             f"{secrets.token_hex(12)}", now=now))
    dialect = sqlite if uow.is_sqlite else postgresql
    uow.session.execute(dialect.insert(OutboxMessage)
                        .on_conflict_do_nothing(index_elements=["key"]), rows)
    if any(row["next_attempt_at"] <= now for row in rows):
        wakeup.notify(uow)
    return len(rows)


def _drill_ids(session: Session, messages: list[Outgoing]) -> set[int]:
    ids = {m.incident_id for m in messages if m.incident_id is not None}
    return {i for i, incident in incidents.many(session, ids=ids).items() if incident.is_drill}


def _marked(message: Outgoing, drills: set[int]) -> Outgoing:
    """A drill's message says so: ``[DRILL]`` in front of its subject (or its
    text, for channels without one) and an ``X-Warroom-Drill: 1`` header on
    webhooks, whoever queued it, so no reader mistakes an exercise for the
    real thing."""
    if message.incident_id not in drills:
        return message
    subject, body = message.subject, message.body
    if subject is not None and not subject.startswith(DRILL_MARK):
        subject = f"{DRILL_MARK} {subject}"
    elif subject is None and not body.startswith(DRILL_MARK):
        body = f"{DRILL_MARK} {body}"
    return replace(message, subject=subject, body=body,
                   headers={**(message.headers or {}), DRILL_HEADER: "1"})


def _check(message: Outgoing) -> None:
    if message.channel not in CHANNELS:
        raise Invalid(one_of(message.channel, sorted(CHANNELS), "channel"))
    if not message.destination:
        raise Invalid(f"A {message.channel} message needs a destination.")


def _columns(message: Outgoing, *, key: str, now: datetime) -> dict[str, Any]:
    sealed = message.channel in SEALED_CHANNELS
    return dict(
        key=key, kind=message.kind, channel=message.channel,
        destination=outbound.sealed_label(message.destination) if sealed
        else message.destination,
        destination_sealed=sealing.seal(message.destination) if sealed else None,
        recipient=message.recipient, subject=message.subject, **_content(message),
        secret_sealed=sealing.seal(message.signing_secret) if message.signing_secret else None,
        incident_id=message.incident_id, group_key=message.group_key, status="pending",
        attempts=0, max_attempts=message.max_attempts or get_settings().outbox_max_attempts,
        next_attempt_at=max(now, message.not_before or now), created_at=now, sent_at=None,
        last_error=None, finished_reason=None)


def _content(message: Outgoing) -> dict[str, Any]:
    """Body, payload and headers as stored: in the clear, unless they carry
    credentials (see :attr:`OutboxMessage.content_sealed`)."""
    if not message.credentials:
        return dict(body=message.body, payload=message.payload, headers=message.headers,
                    content_sealed=None)
    readable = message.body
    for credential in message.credentials:
        readable = readable.replace(credential, SEALED_LINK)
    sealed = sealing.seal(orjson.dumps({"body": message.body, "payload": message.payload,
                                        "headers": message.headers}).decode())
    return dict(body=readable, payload=None, headers=None, content_sealed=sealed)


def unsealed_content(row: OutboxMessage) -> tuple[str, dict[str, Any] | None, dict[str, str]]:
    """What the worker sends: body, payload and headers, unsealed if need be."""
    if not row.content_sealed:
        return row.body, row.payload, dict(row.headers or {})
    content = orjson.loads(sealing.unseal(row.content_sealed))
    return content["body"], content["payload"], dict(content["headers"] or {})


@dataclass(frozen=True)
class PersonRoute:
    """One way to reach a person right now (a contact method)."""

    channel: str
    destination: str
    signing_secret: str | None = None
    label: str | None = None


def notify_person(uow: UnitOfWork, *, user_id: int, kind: str, subject: str, body: str,
                  payload: dict[str, Any] | None = None, incident_id: int | None = None,
                  group_key: str | None = None, key: str | None = None) -> list[OutboxMessage]:
    """Queue a message to a person on every way registered to reach them now
    (see ``hooks.person_routes``), falling back to their email address."""
    user = users.get(uow.session, user_id=user_id)
    if user is None or not user.is_active:
        return []
    routes = [route for found in hooks.person_routes.collect(uow.session, user)
              for route in found]
    if not routes and user.email:
        routes = [PersonRoute(channel="email", destination=user.email)]
    queued = []
    for index, route in enumerate(routes):
        queued.append(enqueue(uow, message=Outgoing(
            channel=route.channel, destination=route.destination, kind=kind, subject=subject,
            body=body, payload=payload, signing_secret=route.signing_secret,
            incident_id=incident_id, group_key=group_key, recipient=user.username,
            key=f"{key}:{index}" if key else None)))
    return queued


def cancel_group(uow: UnitOfWork, *, group_key: str, reason: str) -> int:
    """Cancel every message of a group that has not been delivered yet
    (pending, or claimed but not yet sent). Returns how many."""
    # Session.execute is typed as returning a plain Result even for an UPDATE.
    result = cast("CursorResult[Any]", uow.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.group_key == group_key,
               OutboxMessage.status.in_(("pending", "sending")))
        .values(status="cancelled", finished_reason=reason[:500])
        .execution_options(synchronize_session=False)))
    return int(result.rowcount or 0)


def is_queued(session: Session, *, key: str) -> bool:
    """Whether a message with this idempotency key was queued already (in any
    state), for a caller that must do something first only if it was not."""
    return session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key)) is not None


def get(session: Session, *, message_id: int) -> OutboxMessage | None:
    return session.get(OutboxMessage, message_id)


def get_or_raise(session: Session, *, message_id: int) -> OutboxMessage:
    message = get(session, message_id=message_id)
    if message is None:
        raise NotFound(f"There is no outbox message {message_id}.")
    return message


def get_all(session: Session, *, status: str | None = None, incident_id: int | None = None,
            kind: str | None = None, limit: int = 100, offset: int = 0) -> list[OutboxMessage]:
    query = select(OutboxMessage)
    if status:
        if status not in STATUSES:
            raise Invalid(one_of(status, list(STATUSES), "status"))
        query = query.where(OutboxMessage.status == status)
    if incident_id is not None:
        query = query.where(OutboxMessage.incident_id == incident_id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(session.scalars(query.order_by(OutboxMessage.id.desc()).limit(limit)
                                .offset(offset)))


def attempts(session: Session, *, message_id: int) -> list[DeliveryAttempt]:
    return list(session.scalars(select(DeliveryAttempt)
                                .where(DeliveryAttempt.message_id == message_id)
                                .order_by(DeliveryAttempt.id)))


def retry(uow: UnitOfWork, *, message_id: int) -> OutboxMessage:
    """Give a dead message another round of attempts (after fixing its cause)."""
    message = get_or_raise(uow.session, message_id=message_id)
    if message.status not in ("dead", "cancelled"):
        raise Invalid(f"Message {message_id} is {message.status}; only dead or cancelled "
                      "messages can be retried.")
    message.status = "pending"
    message.max_attempts = message.attempts + get_settings().outbox_max_attempts
    message.next_attempt_at = uow.now()
    message.finished_reason = None
    wakeup.notify(uow)
    return message


def counts_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(select(OutboxMessage.status, func.count())
                           .group_by(OutboxMessage.status))
    return {status: count for status, count in rows}
