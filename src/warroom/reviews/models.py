"""Reviews, action items, and each incident's response figures (derived from
its milestones and timeline, kept in a table so the aggregates run in SQL)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base


class Figure(Base):
    """One response figure of one incident: recomputed (never edited) whenever
    the incident's milestones, phase, severity or acknowledgement change."""

    __tablename__ = "review_figures"
    __table_args__ = (
        UniqueConstraint("incident_id", "metric"),
        Index("ix_review_figures_metric_started", "metric", "started_at"),
        # Covering indexes for the aggregates: per metric and group, the values
        # in order, so a percentile is an index seek (no sort, no table read).
        *(Index(f"ix_review_figures_{grp}_values", "metric", grp, "is_drill", "value",
                "started_at", "met") for grp in ("severity", "type", "month")),
        Index("ix_review_figures_all_values", "metric", "is_drill", "value", "started_at",
              "met"))

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    metric: Mapped[str] = mapped_column(String(60))
    value: Mapped[float | None] = mapped_column(Float)
    met: Mapped[bool | None]
    from_at: Mapped[datetime | None]
    to_at: Mapped[datetime | None]
    severity: Mapped[str] = mapped_column(String(10))
    type: Mapped[str] = mapped_column(String(40))
    month: Mapped[str] = mapped_column(String(7))
    started_at: Mapped[datetime]
    is_drill: Mapped[bool]


class Facet(Base):
    """An incident's service or team, one row each, so figures group by them in SQL.
    It carries copies of the incident's drill flag, start and time to resolve so
    the top services are counted from one covering index, without a join to
    the figures (a join of every facet to its figure took seconds at 100,000
    incidents on SQLite, which only joins by nested loops)."""

    __tablename__ = "review_facets"
    __table_args__ = (Index("ix_review_facets_incident", "incident_id"),
                      Index("ix_review_facets_facet_value", "facet", "value"),
                      Index("ix_review_facets_facet_drill", "facet", "is_drill", "value",
                            "started_at", "resolve_seconds", "incident_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    facet: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(200))
    is_drill: Mapped[bool | None]
    started_at: Mapped[datetime | None]
    resolve_seconds: Mapped[float | None] = mapped_column(Float)
    """The incident's ``time_to_resolve`` figure."""


class Review(Base):
    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), unique=True)
    state: Mapped[str] = mapped_column(String(20))
    sections: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    first_notes_due_at: Mapped[datetime]
    due_at: Mapped[datetime]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(200))
    waiver_reason: Mapped[str | None] = mapped_column(Text)
    signoffs: Mapped[list[Any]] = mapped_column(JSON, default=list)


class ActionItem(Base):
    __tablename__ = "review_action_items"
    __table_args__ = (Index("ix_review_action_items_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    owner: Mapped[str | None] = mapped_column(String(200), index=True)
    team: Mapped[str | None] = mapped_column(String(100))
    priority: Mapped[str] = mapped_column(String(10))
    due_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    tracker_url: Mapped[str | None] = mapped_column(String(2000))
    source: Mapped[str] = mapped_column(String(20))
    playbook: Mapped[str | None] = mapped_column(String(300), index=True)
    is_drill: Mapped[bool]
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime]
    next_reminder_at: Mapped[datetime | None] = mapped_column(index=True)
    reminders: Mapped[int] = mapped_column(default=0)


class Meeting(Base):
    """The review meeting (seed 002 "Post-Incident Review Meeting"): when,
    who (the incident's role holders and anyone added), and its notes."""

    __tablename__ = "review_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    uid: Mapped[str] = mapped_column(String(100), unique=True)
    starts_at: Mapped[datetime]
    minutes: Mapped[int]
    location: Mapped[str] = mapped_column(String(500), default="")
    participants: Mapped[list[Any]] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))
