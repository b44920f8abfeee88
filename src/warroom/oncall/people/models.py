"""How to reach a person: contact methods, notification rules, preferences."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base


class ContactMethod(Base):
    """One way to reach a person: an email address, a phone number (SMS or
    voice through the gateway), a Slack incoming webhook or a generic webhook."""

    __tablename__ = "oncall_contact_methods"
    __table_args__ = (UniqueConstraint("user_id", "kind", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    label: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(String(1000))
    secret_sealed: Mapped[str | None] = mapped_column(Text)
    """A generic webhook's signing secret, encrypted (see warroom.sealing)."""
    address_sealed: Mapped[str | None] = mapped_column(Text)
    """A Slack webhook's URL, encrypted: the URL is its credential, so
    ``address`` then holds only :func:`warroom.outbound.sealed_label`."""
    created_at: Mapped[datetime]


class NotificationRule(Base):
    """Use this contact method this many minutes after the person is paged
    (0 = at once), unless they acknowledged in the meantime."""

    __tablename__ = "oncall_notification_rules"
    __table_args__ = (UniqueConstraint("contact_method_id", "delay_minutes"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    contact_method_id: Mapped[int] = mapped_column(ForeignKey("oncall_contact_methods.id"))
    delay_minutes: Mapped[int]
    created_at: Mapped[datetime]


class Profile(Base):
    """A person's paging preferences."""

    __tablename__ = "oncall_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    renotify_minutes: Mapped[int | None]
    """Page me again every N minutes until I acknowledge (None: never)."""
    updated_at: Mapped[datetime]
