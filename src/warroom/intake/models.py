"""Alerts, the groups that tie them to incidents, integrations (secret receiver
URLs), silences, database-stored routing rules and the intake switches."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base


class Alert(Base):
    """One alert, identified by its fingerprint or dedup key. Repeats update
    this row; they never add another."""

    __tablename__ = "alerts"
    # Few indexes: every alert received writes this table. Alerts on hold are
    # found through a partial index that holds only them.
    __table_args__ = (Index("ix_alerts_held", "held", sqlite_where=text("held IS NOT NULL"),
                            postgresql_where=text("held IS NOT NULL")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(255), unique=True)
    source: Mapped[str] = mapped_column(String(20))
    integration_id: Mapped[int | None] = mapped_column(ForeignKey("alert_integrations.id"))
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10))
    """firing | resolved"""
    severity: Mapped[str] = mapped_column(String(10))
    summary: Mapped[str] = mapped_column(String(1024), default="")
    labels: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    annotations: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    generator_url: Mapped[str | None] = mapped_column(String(2000))
    rule: Mapped[str] = mapped_column(String(100))
    incident_type: Mapped[str] = mapped_column(String(40), index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("alert_groups.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    held: Mapped[str | None] = mapped_column(String(20))
    """Why a firing alert opened nothing: silenced | paused | flapping."""
    silence_id: Mapped[int | None] = mapped_column(ForeignKey("alert_silences.id"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    receive_count: Mapped[int] = mapped_column(default=1)
    fire_count: Mapped[int] = mapped_column(default=1)
    """How many times it started firing; more than one means it re-fired."""


class AlertGroup(Base):
    """Alerts that route by the same rule and share the rule's group-by label
    values. The row is also the lock that keeps two concurrent requests from
    opening two incidents for one group."""

    __tablename__ = "alert_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    """sha256 of the rule name and the group-by label values."""
    rule: Mapped[str] = mapped_column(String(100))
    labels: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    """The group's latest incident (open, or closed until something fires again)."""
    refires: Mapped[list[Any]] = mapped_column(JSON, default=list)
    """When alerts of the group fired again, within the flapping window."""
    flapping_since: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Integration(Base):
    """A secret receiver URL for one tool; the key is shown once and stored hashed."""

    __tablename__ = "alert_integrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    """alertmanager | generic | pagerduty: the receiver that accepts the key."""
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))
    revoked_at: Mapped[datetime | None]


class Silence(Base):
    """Matching alerts are stored but open nothing between ``starts_at`` and
    ``ends_at`` (or until someone expires it)."""

    __tablename__ = "alert_silences"

    id: Mapped[int] = mapped_column(primary_key=True)
    matchers: Mapped[list[Any]] = mapped_column(JSON)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime] = mapped_column(index=True)
    created_by: Mapped[str] = mapped_column(String(200))
    comment: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    expired_at: Mapped[datetime | None]
    """Set when someone ended the silence early."""
    lifted_at: Mapped[datetime | None]
    """Set once the alerts it held were looked at again after it ended."""


class RoutingRuleRecord(Base):
    """A routing rule managed through the API or CLI; tried before shipped rules."""

    __tablename__ = "routing_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    position: Mapped[int] = mapped_column(default=100)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime]
    updated_by: Mapped[str] = mapped_column(String(200))


class IntakeState(Base):
    """One row: the monitoring switch, and generation counters that tell every
    process when routing rules or silences changed."""

    __tablename__ = "intake_state"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    monitoring_enabled: Mapped[bool] = mapped_column(default=True)
    monitoring_changed_at: Mapped[datetime | None]
    monitoring_changed_by: Mapped[str | None] = mapped_column(String(200))
    rules_generation: Mapped[int] = mapped_column(default=0)
    silences_generation: Mapped[int] = mapped_column(default=0)


class ChangeEvent(Base):
    """A change (a deploy, a config push) a tool reported through PagerDuty's
    change events API: shown on the incidents of the service it touched."""

    __tablename__ = "change_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    service: Mapped[str] = mapped_column(String(255), index=True)
    """``payload.source``: what changed."""
    integration_id: Mapped[int | None] = mapped_column(ForeignKey("alert_integrations.id"),
                                                       index=True)
    summary: Mapped[str] = mapped_column(String(1024))
    happened_at: Mapped[datetime] = mapped_column(index=True)
    custom_details: Mapped[Any] = mapped_column(JSON, nullable=True)
    links: Mapped[list[Any]] = mapped_column(JSON, default=list)
    received_at: Mapped[datetime]
