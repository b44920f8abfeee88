"""The worker's side of the outbox: claim due messages, send them, record how
it went.

Claiming and recording are short transactions; sending happens between them
with no transaction open, so a slow SMTP server never holds a database lock.
Each message's state is read again right before its own send, so a page
cancelled after the claim (an acknowledgement) is not sent.
On PostgreSQL, claims use ``FOR UPDATE SKIP LOCKED`` so any number of workers
share the queue without sending a message twice.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from warroom import sealing
from warroom.audit import service as audit
from warroom.auth import service as users
from warroom.db import SYSTEM, Database, UnitOfWork
from warroom.incidents import timeline
from warroom.notify import hooks
from warroom.notify.channels import CHANNELS
from warroom.notify.channels.base import DeliveryResult, Envelope
from warroom.notify.models import DeliveryAttempt, OutboxMessage
from warroom.notify.service import Outgoing, enqueue, unsealed_content

if TYPE_CHECKING:
    from collections.abc import Iterable
    from concurrent.futures import ThreadPoolExecutor

    from warroom.config import Settings


@dataclass
class Outcome:
    envelope: Envelope
    result: DeliveryResult
    duration_ms: float


def claim_due(uow: UnitOfWork, *, limit: int, lease_seconds: float) -> list[Envelope]:
    """Mark up to ``limit`` due messages as being sent by this worker."""
    now = uow.now()
    query = (select(OutboxMessage)
             .where(OutboxMessage.status.in_(("pending", "sending")),
                    OutboxMessage.next_attempt_at <= now)
             .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
             .limit(limit))
    if not uow.is_sqlite:
        query = query.with_for_update(skip_locked=True)
    claimed = []
    for message in uow.session.scalars(query):
        message.status = "sending"
        message.attempts += 1
        message.next_attempt_at = now + timedelta(seconds=lease_seconds)
        claimed.append(_envelope(message))
    return claimed


def send_all(envelopes: list[Envelope], settings: Settings, pool: ThreadPoolExecutor | None,
             database: Database) -> list[Outcome]:
    """Send a claimed batch, each message only if it is still wanted at the
    moment its own turn comes (see :func:`send_if_wanted`)."""
    if pool is None or len(envelopes) == 1:
        sent = [send_if_wanted(e, settings, database) for e in envelopes]
    else:
        sent = list(pool.map(lambda e: send_if_wanted(e, settings, database), envelopes))
    return [outcome for outcome in sent if outcome is not None]


def send_if_wanted(envelope: Envelope, settings: Settings,
                   database: Database) -> Outcome | None:
    """Check the message right before its HTTP or SMTP call, not once for the
    batch: with a slow receiver a batch is sent over seconds, and an
    acknowledgement that answered 200 meanwhile (cancelling the pages in its
    own transaction) must stop every page not already on the wire. None when
    it was cancelled since the claim (nothing is sent or recorded)."""
    if not still_wanted(database, [envelope]):
        return None
    return send_one(envelope, settings)


def send_one(envelope: Envelope, settings: Settings) -> Outcome:
    started = time.perf_counter()
    channel = CHANNELS.get(envelope.channel)
    if channel is None:
        result = DeliveryResult(False, None, f"no channel named {envelope.channel!r}",
                                permanent=True)
    else:
        try:
            result = channel.send(envelope, settings)
        except Exception as unexpected:  # a channel bug must not kill the worker
            result = DeliveryResult(False, None, f"{type(unexpected).__name__}: {unexpected}")
    return Outcome(envelope, result, (time.perf_counter() - started) * 1000)


def still_wanted(database: Database, envelopes: list[Envelope]) -> list[Envelope]:
    """Drop messages cancelled after they were claimed (an acknowledgement
    that landed a moment ago must still stop the page). One primary-key
    lookup, far cheaper than the send it may save."""
    if not envelopes:
        return []
    with database.read() as session:
        live = set(session.scalars(select(OutboxMessage.id).where(
            OutboxMessage.id.in_([e.id for e in envelopes]),
            OutboxMessage.status == "sending")))
    return [e for e in envelopes if e.id in live]


def record(uow: UnitOfWork, outcomes: Iterable[Outcome], *, settings: Settings,
           worker: str) -> None:
    now = uow.now()
    for outcome in outcomes:
        message = uow.session.get(OutboxMessage, outcome.envelope.id)
        if message is None:
            continue
        result = outcome.result
        uow.session.add(DeliveryAttempt(
            message_id=message.id, attempt=outcome.envelope.attempt, at=now, ok=result.ok,
            status_code=result.status_code, error=result.error,
            duration_ms=round(outcome.duration_ms, 2), worker=worker))
        if not result.ok and message.status == "cancelled":
            continue
        if result.ok:
            message.status, message.sent_at, message.last_error = "sent", now, None
            _on_timeline(uow, message, f"delivered ({_describe(message)})")
            hooks.delivered.fire(uow, message)
        elif result.permanent or message.attempts >= message.max_attempts:
            message.status, message.last_error = "dead", result.error
            message.finished_reason = "permanent failure" if result.permanent \
                else f"gave up after {message.attempts} attempts"
            _on_timeline(uow, message, f"FAILED for good ({_describe(message)}): "
                                       f"{result.error}")
            audit.record(uow, action="outbox.dead_letter", target=f"message:{message.id}",
                         after={"kind": message.kind, "channel": message.channel,
                                "recipient": message.recipient, "error": result.error})
            hooks.dead_lettered.fire(uow, message)
        else:
            delay = backoff(message.attempts, settings)
            if result.retry_after:
                delay = max(delay, timedelta(seconds=result.retry_after))
            retry_at = now + delay
            message.status, message.last_error, message.next_attempt_at = (
                "pending", result.error, retry_at)
            _on_timeline(uow, message, f"attempt {message.attempts}/{message.max_attempts} "
                                       f"failed ({_describe(message)}): {result.error}; "
                                       f"retrying at {retry_at:%H:%M:%S} UTC")


def backoff(attempt: int, settings: Settings) -> timedelta:
    """Exponential backoff with full jitter: a fleet of failing messages does
    not retry in lockstep against a receiver that is coming back up."""
    ceiling = min(settings.outbox_backoff_max_seconds,
                  settings.outbox_backoff_base_seconds * 2 ** (attempt - 1))
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))


def next_due(database: Database) -> datetime | None:
    with database.read() as session:
        return session.scalar(select(OutboxMessage.next_attempt_at)
                              .where(OutboxMessage.status.in_(("pending", "sending")))
                              .order_by(OutboxMessage.next_attempt_at).limit(1))


def alert_admins_of_dead_letter(uow: UnitOfWork, message: OutboxMessage) -> None:
    """Default dead-letter listener: email every admin who has an address.

    Admin alerts that die themselves do not raise further alerts, so a broken
    mail server cannot cause a loop.
    """
    if message.kind == "admin_alert":
        return
    for admin in users.active_admins_with_email(uow.session):
        enqueue(uow, message=Outgoing(
            channel="email", destination=admin.email or "", kind="admin_alert",
            recipient=admin.username, key=f"admin_alert:dead:{message.id}:{admin.id}",
            subject=f"[warroom] message {message.id} could not be delivered",
            body=(f"warroom gave up delivering a {message.kind} message by {message.channel} "
                  f"to {message.recipient or message.destination} after {message.attempts} "
                  f"attempts.\n\nLast error: {message.last_error}\n\nRetry it with "
                  f"`warroom outbox retry {message.id}` once the cause is fixed.")))


def _envelope(message: OutboxMessage) -> Envelope:
    body, payload, headers = unsealed_content(message)
    return Envelope(
        id=message.id, key=message.key, kind=message.kind, channel=message.channel,
        destination=sealing.unseal(message.destination_sealed) if message.destination_sealed
        else message.destination, subject=message.subject, body=body,
        payload=payload, headers=headers,
        signing_secret=sealing.unseal(message.secret_sealed) if message.secret_sealed else None,
        attempt=message.attempts, recipient=message.recipient)


def _describe(message: OutboxMessage) -> str:
    """For the incident's timeline, which every viewer reads: the person, never
    the address (that is in the outbox, for those allowed to see it)."""
    return f"{message.kind} by {message.channel} to {message.recipient or 'an address'}"


def _on_timeline(uow: UnitOfWork, message: OutboxMessage, summary: str) -> None:
    if message.incident_id is not None:
        timeline.add(uow, incident_id=message.incident_id, kind="delivery",
                     actor=SYSTEM.label, summary=f"Message {message.id} {summary}",
                     data={"message_id": message.id, "status": message.status,
                           "attempt": message.attempts, "channel": message.channel,
                           "recipient": message.recipient})
