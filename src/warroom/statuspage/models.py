"""Status page tables: components and their status history, public incidents
and scheduled maintenance (one table, told apart by ``kind``) with their
updates, subscribers, and the page's own row."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base


class PageState(Base):
    """The one row that describes the page. ``version`` grows with every change
    to anything public, so each API process can tell cheaply that its snapshot
    is out of date."""

    __tablename__ = "statuspage_state"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    page_code: Mapped[str] = mapped_column(String(12))
    version: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime]
    defaults_loaded: Mapped[bool] = mapped_column(default=False)
    maintenance_mode_id: Mapped[int | None] = mapped_column(
        ForeignKey("statuspage_incidents.id"))
    """The maintenance opened by maintenance mode, while it is on."""


class Component(Base):
    __tablename__ = "statuspage_components"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    group_name: Mapped[str | None] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(30))
    showcase: Mapped[bool] = mapped_column(default=True)
    only_show_if_degraded: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class StatusChange(Base):
    """Append-only: every status a component took, and when (uptime history)."""

    __tablename__ = "statuspage_status_changes"
    __table_args__ = (Index("ix_statuspage_status_changes_component_at", "component_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    component_id: Mapped[int] = mapped_column(ForeignKey("statuspage_components.id"))
    at: Mapped[datetime]
    old_status: Mapped[str | None] = mapped_column(String(30))
    new_status: Mapped[str] = mapped_column(String(30))
    cause: Mapped[str] = mapped_column(String(200))


class PublicIncident(Base):
    """What the public is told: an incident (``investigating`` ... ``resolved``)
    or a maintenance (``scheduled`` ... ``completed``). It may point at an
    internal incident, but none of that incident's text is ever copied here."""

    __tablename__ = "statuspage_incidents"
    __table_args__ = (Index("ix_statuspage_incidents_kind_status", "kind", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    kind: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))
    impact: Mapped[str] = mapped_column(String(20))
    impact_override: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20), default="api")
    internal_incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"),
                                                             index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    started_at: Mapped[datetime]
    monitoring_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    scheduled_for: Mapped[datetime | None]
    scheduled_until: Mapped[datetime | None]
    verify_until: Mapped[datetime | None]
    verify_minutes: Mapped[int | None]
    auto_transition: Mapped[bool] = mapped_column(default=True)
    restore: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    """Component statuses before a maintenance started, put back when it ends."""
    resolve_offer_due_at: Mapped[datetime | None] = mapped_column(index=True)
    """When to remind the internal incident's timeline that this notice is
    still open although that incident is resolved (cleared once reminded or
    resolved)."""
    hidden_at: Mapped[datetime | None]
    """When it was deleted through the Statuspage manage API: the record (and
    its audit trail) stays, every surface and list leaves it out."""


class AffectedComponent(Base):
    __tablename__ = "statuspage_incident_components"

    incident_id: Mapped[int] = mapped_column(ForeignKey("statuspage_incidents.id"),
                                             primary_key=True)
    component_id: Mapped[int] = mapped_column(ForeignKey("statuspage_components.id"),
                                              primary_key=True, index=True)


class IncidentUpdate(Base):
    __tablename__ = "statuspage_incident_updates"
    __table_args__ = (Index("ix_statuspage_incident_updates_incident", "incident_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("statuspage_incidents.id"))
    status: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    affected_components: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    deliver_notifications: Mapped[bool] = mapped_column(default=True)


class Subscriber(Base):
    """Someone who wants to hear about public incidents and maintenance: an
    email address (after double opt-in) or a webhook (signed)."""

    __tablename__ = "statuspage_subscribers"
    __table_args__ = (UniqueConstraint("kind", "destination"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    destination: Mapped[str] = mapped_column(String(500))
    secret_sealed: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), index=True)
    created_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    unsubscribed_at: Mapped[datetime | None]


def new_code() -> str:
    """A public id like Statuspage's: 12 lowercase letters and digits, random,
    so nothing about internal numbering shows on the page."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(12))


_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
