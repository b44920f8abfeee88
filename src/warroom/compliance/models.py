"""The breach register, each obligation's clock, and what was submitted.

A breach record is the GDPR Art. 33(5) register entry: it is kept whether or
not the breach was notified, linked to an incident or standing alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base


class Breach(Base):
    """``BR-<year>-<n>``: one personal data breach (or suspected one)."""

    __tablename__ = "breaches"
    __table_args__ = (UniqueConstraint("year", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    number: Mapped[int]
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(30), index=True)
    is_drill: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str] = mapped_column(String(40), default="manual")
    regimes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # who we are in it
    role: Mapped[str] = mapped_column(String(20), default="controller")
    other_party: Mapped[str | None] = mapped_column(String(300))
    other_party_notified_at: Mapped[datetime | None]
    # awareness: its own timestamp, not the incident's detected_at
    aware_at: Mapped[datetime | None]
    awareness_basis: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    classified_at: Mapped[datetime | None]
    # what happened
    nature: Mapped[list[Any]] = mapped_column(JSON, default=list)
    subject_categories: Mapped[list[Any]] = mapped_column(JSON, default=list)
    subjects_min: Mapped[int | None]
    subjects_max: Mapped[int | None]
    data_categories: Mapped[list[Any]] = mapped_column(JSON, default=list)
    special_categories: Mapped[list[Any]] = mapped_column(JSON, default=list)
    records_min: Mapped[int | None]
    records_max: Mapped[int | None]
    likely_consequences: Mapped[str | None] = mapped_column(Text)
    measures_taken: Mapped[str | None] = mapped_column(Text)
    measures_proposed: Mapped[str | None] = mapped_column(Text)
    # the decision
    risk: Mapped[str | None] = mapped_column(String(20))
    risk_rationale: Mapped[str | None] = mapped_column(Text)
    lead_authority: Mapped[str | None] = mapped_column(String(300))
    competent_authority: Mapped[str | None] = mapped_column(String(300))
    cross_border: Mapped[bool] = mapped_column(default=False)
    art34_exception: Mapped[str | None] = mapped_column(String(2))
    art34_rationale: Mapped[str | None] = mapped_column(Text)
    reasons_for_delay: Mapped[str | None] = mapped_column(Text)
    # the DPO notice and its acknowledgement
    dpo_notified_at: Mapped[datetime | None]
    dpo_link_nonce: Mapped[str | None] = mapped_column(String(40))
    dpo_reminded_at: Mapped[datetime | None]
    dpo_acknowledged_at: Mapped[datetime | None]
    dpo_acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    opened_at: Mapped[datetime]
    opened_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]

    @property
    def ref(self) -> str:
        return f"BR-{self.year}-{self.number}"


class BreachClock(Base):
    """One obligation's deadline under one regime. ``next_point_at`` is the
    next reminder point (or the deadline itself, for the overdue escalation);
    None once submitted, not applicable, or escalated."""

    __tablename__ = "breach_clocks"
    __table_args__ = (UniqueConstraint("breach_id", "regime", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    breach_id: Mapped[int] = mapped_column(ForeignKey("breaches.id"), index=True)
    regime: Mapped[str] = mapped_column(String(40))
    obligation: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(500))
    rule: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(20))
    """waiting (its start is not known yet), running, submitted, not_applicable."""
    due_at: Mapped[datetime | None]
    next_point_at: Mapped[datetime | None] = mapped_column(index=True)
    last_point_at: Mapped[datetime | None]
    reminders: Mapped[int] = mapped_column(default=0)
    overdue_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    time_scale: Mapped[float] = mapped_column(default=1.0, server_default="1")
    """1 for a real breach; a drill's time scale for a breach on a drill
    incident, so its deadline and reminder points come that many times sooner."""


class Submission(Base):
    """A notification actually sent to an authority or to data subjects."""

    __tablename__ = "breach_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    breach_id: Mapped[int] = mapped_column(ForeignKey("breaches.id"), index=True)
    regime: Mapped[str] = mapped_column(String(40))
    obligation: Mapped[str] = mapped_column(String(20))
    recipient: Mapped[str] = mapped_column(String(300))
    channel: Mapped[str] = mapped_column(String(20))
    submitted_at: Mapped[datetime]
    submitted_by: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str | None] = mapped_column(String(200))
    due_at: Mapped[datetime | None]
    late: Mapped[bool] = mapped_column(default=False)
    reasons_for_delay: Mapped[str | None] = mapped_column(Text)
    is_drill: Mapped[bool] = mapped_column(default=False)
    content_id: Mapped[int] = mapped_column(ForeignKey("breach_contents.id"))
    content_sha256: Mapped[str] = mapped_column(String(64))


class StoredContent(Base):
    """The exact bytes of what was sent, with their SHA-256: a stand-in for an
    evidence item until the evidence locker holds them (see
    :func:`warroom.compliance.submissions.keep_content`)."""

    __tablename__ = "breach_contents"

    id: Mapped[int] = mapped_column(primary_key=True)
    breach_id: Mapped[int] = mapped_column(ForeignKey("breaches.id"), index=True)
    filename: Mapped[str] = mapped_column(String(300))
    media_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes]
    sha256: Mapped[str] = mapped_column(String(64))
    stored_at: Mapped[datetime]
