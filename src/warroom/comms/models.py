"""Messages sent about incidents, and each incident's update cadence clock."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base


class CommsMessage(Base):
    """One rendered message and who it went to (the outbox holds each delivery).
    Status updates carry their number: INCIDENT UPDATE #1, #2, ..."""

    __tablename__ = "comms_messages"
    __table_args__ = (UniqueConstraint("incident_id", "update_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    template: Mapped[str] = mapped_column(String(40))
    update_number: Mapped[int | None]
    subject: Mapped[str] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    recipients: Mapped[list[Any]] = mapped_column(JSON, default=list)
    counts_as_update: Mapped[bool] = mapped_column(default=True)
    sent_at: Mapped[datetime]
    sent_by: Mapped[str] = mapped_column(String(200))


class UpdateCadence(Base):
    """When an incident's next status update is due (seed 002: at least hourly
    for critical incidents). ``next_due_at`` is None when no update is owed."""

    __tablename__ = "comms_cadence"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    last_update_at: Mapped[datetime | None]
    next_due_at: Mapped[datetime | None] = mapped_column(index=True)
    reminders: Mapped[int] = mapped_column(default=0)
