"""Playbook runs, their step runs, and the preparedness checklist's verifications.

A step run is a snapshot: attaching a playbook copies every step (title, owner,
kind, parameters, gate, seed section) into its own row with due times, so
editing the playbook file later never changes an incident that is running it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base


class PlaybookRun(Base):
    """A playbook attached to an incident, at the version it was attached."""

    __tablename__ = "playbook_runs"
    __table_args__ = (UniqueConstraint("incident_id", "playbook"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    playbook: Mapped[str] = mapped_column(String(80))
    version: Mapped[str] = mapped_column(String(40))
    content_hash: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the playbook file as it was attached."""
    title: Mapped[str] = mapped_column(String(200))
    how: Mapped[str] = mapped_column(String(20))
    """routing | alert | type | every_incident | manual"""
    anchor_at: Mapped[datetime]
    """Due windows count from here: the declaration, or the attachment if later."""
    attached_at: Mapped[datetime]
    attached_by: Mapped[str] = mapped_column(String(200))


class StepRun(Base):
    """One step of a playbook run: what it asks, when it is due, what happened.

    ``status``: pending -> running -> succeeded | failed, or waiting (a timer),
    blocked (something it needs is missing: allow-listing, a setting, a
    label), skipped. ``run_at`` is when the worker should execute it next
    (automated kinds only); None means nothing is scheduled.
    """

    __tablename__ = "playbook_step_runs"
    __table_args__ = (UniqueConstraint("run_id", "step_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("playbook_runs.id"), index=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    playbook: Mapped[str] = mapped_column(String(80))
    step_id: Mapped[str] = mapped_column(String(80))
    position: Mapped[int]
    phase: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    gate: Mapped[bool] = mapped_column(default=False)
    destructive: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(300))
    after: Mapped[list[Any]] = mapped_column(JSON, default=list)
    due_window: Mapped[str] = mapped_column(String(40))
    due_from: Mapped[datetime | None]
    """When the window opens; None for "within ..." windows, which open when the
    incident reaches the step's phase."""
    due_by: Mapped[datetime | None] = mapped_column(index=True)

    status: Mapped[str] = mapped_column(String(20), default="pending")
    run_at: Mapped[datetime | None] = mapped_column(index=True)
    lease_until: Mapped[datetime | None] = mapped_column(index=True)
    blocked_reason: Mapped[str | None] = mapped_column(String(500))
    attempts: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    output: Mapped[str | None] = mapped_column(Text)
    done_by: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    requested_at: Mapped[datetime | None]
    requested_by: Mapped[str | None] = mapped_column(String(200))
    approved_at: Mapped[datetime | None]
    approved_by: Mapped[str | None] = mapped_column(String(200))
    reminded_at: Mapped[datetime | None]
    remind_at: Mapped[datetime | None] = mapped_column(index=True)
    """The reminder queue: ``due_by`` until the step has been looked at once
    its window ended (reminded, or found done or its incident resolved), then
    None, so the reminder cycle reads only what is due."""
    overridden_at: Mapped[datetime | None]
    overridden_by: Mapped[str | None] = mapped_column(String(200))
    override_reason: Mapped[str | None] = mapped_column(Text)
    item_ticks: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    """Checklist items ticked one by one: item number ("1", "2"...) -> who
    ticked it, when (ISO 8601) and their note. The step succeeds when every
    item of ``params["items"]`` is here."""

    @property
    def ref(self) -> str:
        return f"{self.playbook}:{self.step_id}"


class PreparednessVerification(Base):
    """A person confirmed a preparedness checklist item (kept as history)."""

    __tablename__ = "preparedness_verifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    item: Mapped[str] = mapped_column(String(80), index=True)
    verified_at: Mapped[datetime]
    verified_by: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)


class PreparednessOwner(Base):
    """Who owns a preparedness item, when it differs from the shipped checklist."""

    __tablename__ = "preparedness_owners"

    item: Mapped[str] = mapped_column(String(80), primary_key=True)
    owner: Mapped[str] = mapped_column(String(200))
    changed_at: Mapped[datetime]
    changed_by: Mapped[str] = mapped_column(String(200))
