"""Chat users linked to warroom users, and the chat messages warroom posted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base


class ChatIdentity(Base):
    """A chat user as warroom last resolved them: the verified email the chat
    tool gave, and the warroom user with that email (none: the person may read
    but not act). Kept so that each command does not ask the chat tool again."""

    __tablename__ = "chat_identities"
    __table_args__ = (UniqueConstraint("provider", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(320))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    resolved_at: Mapped[datetime]


class ChatMessage(Base):
    """A message warroom posted about an incident through the chat tool's API:
    its channel and, once delivered, its id there (Slack's ``ts``), so that it
    can be edited when the incident changes (an acknowledgement)."""

    __tablename__ = "chat_messages"
    __table_args__ = (Index("ix_chat_messages_incident", "incident_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(20))
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    purpose: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(64))
    ts: Mapped[str | None] = mapped_column(String(64))
    outbox_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime]


class ChatChannel(Base):
    """An incident's own channel: asked for by name, known by id once the chat
    tool created it; how many alerts the channel was last told about (so a
    storm is one edited message), when it was last reminded, and when it was
    archived."""

    __tablename__ = "chat_channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(20))
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    is_private: Mapped[bool] = mapped_column(default=False)
    channel: Mapped[str | None] = mapped_column(String(64))
    outbox_key: Mapped[str] = mapped_column(String(200), unique=True)
    alerts_told: Mapped[int] = mapped_column(default=0)
    alerts_told_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    archived_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
