"""Outbox messages and their delivery attempts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base


class OutboxMessage(Base):
    """One message to one destination.

    ``status``: pending -> sending -> sent, or back to pending with a later
    ``next_attempt_at`` after a failure, or dead after the last attempt, or
    cancelled (for example a queued page when the incident is acknowledged).
    A message being sent keeps ``next_attempt_at`` at the end of its lease, so
    one claimed by a worker that died becomes due again by itself.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    """Idempotency key: the same on every attempt, sent to webhooks as a header."""
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(20))
    destination: Mapped[str] = mapped_column(String(2000))
    recipient: Mapped[str | None] = mapped_column(String(200))
    subject: Mapped[str | None] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    headers: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    secret_sealed: Mapped[str | None] = mapped_column(Text)
    destination_sealed: Mapped[str | None] = mapped_column(Text)
    """The real destination, encrypted, when it is a credential (a Slack
    webhook URL); ``destination`` then holds only a label."""
    content_sealed: Mapped[str | None] = mapped_column(Text)
    """Body, payload and headers, sealed, when they carry one-click links
    (bearer credentials): then ``body`` holds a copy with the links cut out
    and ``payload`` and ``headers`` are empty, so a database dump cannot be
    used to acknowledge a page."""
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    group_key: Mapped[str | None] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int]
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    finished_reason: Mapped[str | None] = mapped_column(String(500))


class DeliveryAttempt(Base):
    __tablename__ = "outbox_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox_messages.id"), index=True)
    attempt: Mapped[int]
    at: Mapped[datetime]
    ok: Mapped[bool]
    status_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[float]
    worker: Mapped[str] = mapped_column(String(100))
