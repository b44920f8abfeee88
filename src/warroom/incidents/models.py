"""Incidents, their role assignments, links and timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warroom.db import Base


class Incident(Base):
    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    type: Mapped[str] = mapped_column(String(40), index=True)
    severity: Mapped[str] = mapped_column(String(10), index=True)
    phase: Mapped[str] = mapped_column(String(20), index=True)
    services: Mapped[list[Any]] = mapped_column(JSON, default=list)
    labels: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    is_drill: Mapped[bool] = mapped_column(default=False)
    personal_data_breach: Mapped[bool] = mapped_column(default=False)
    declared_in_error: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(40), default="manual")
    created_by: Mapped[str] = mapped_column(String(200))

    started_at: Mapped[datetime]
    detected_at: Mapped[datetime]
    declared_at: Mapped[datetime] = mapped_column(index=True)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    contained_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]

    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="incident", order_by="RoleAssignment.id", lazy="selectin")

    @property
    def ref(self) -> str:
        return f"INC-{self.id}"

    @property
    def is_open(self) -> bool:
        return self.phase != "closed"


class RoleAssignment(Base):
    __tablename__ = "incident_roles"
    __table_args__ = (UniqueConstraint("incident_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    role: Mapped[str] = mapped_column(String(40))
    primary_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    backup_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime]
    assigned_by: Mapped[str] = mapped_column(String(200))

    incident: Mapped[Incident] = relationship(back_populates="roles")


class IncidentLink(Base):
    """An undirected relation between two incidents (stored once, low id first),
    with a kind: ``related`` or ``recurrence`` (an alert fired again after its
    incident closed)."""

    __tablename__ = "incident_links"
    __table_args__ = (UniqueConstraint("low_id", "high_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    low_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    high_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="related")
    created_at: Mapped[datetime]


class TimelineEvent(Base):
    """No code path updates or deletes one, and each event's hash is sealed into
    the audit chain (see ``incidents/integrity.py``), so one changed outside
    warroom is caught by ``warroom audit verify``."""

    __tablename__ = "timeline_events"
    __table_args__ = (Index("ix_timeline_events_incident_at", "incident_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(30))
    actor: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
