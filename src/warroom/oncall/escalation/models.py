"""Escalations, their durable timers, the pages they sent, and used ack links."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base


class Escalation(Base):
    """The paging state of one incident.

    ``state``: active (paging), acknowledged, resolved, exhausted (every step
    and repeat done, nobody answered) or stopped (by hand). ``step_index`` is
    the next step to fire in pass ``loop``; ``generation`` changes when the
    escalation restarts (reassigned, new policy), so older timers are ignored.
    The policy is copied in when the escalation starts: editing a policy never
    changes an escalation already under way.
    """

    __tablename__ = "oncall_escalations"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), unique=True)
    policy_name: Mapped[str] = mapped_column(String(64))
    policy: Mapped[dict[str, Any]]
    chosen_by: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(20), index=True)
    step_index: Mapped[int]
    loop: Mapped[int]
    generation: Mapped[int]
    started_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
    ended_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class Timer(Base):
    """Something due at ``due_at``: the next escalation step, a notice, a
    re-notification or a response-time check. The worker claims due timers
    set-based (``FOR UPDATE SKIP LOCKED`` on PostgreSQL) and marks them fired
    in the same transaction as the pages they cause."""

    __tablename__ = "oncall_timers"
    __table_args__ = (Index("ix_oncall_timers_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("oncall_escalations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(10))
    due_at: Mapped[datetime]
    generation: Mapped[int]
    data: Mapped[dict[str, Any] | None]
    fired_at: Mapped[datetime | None]


class Page(Base):
    """One person paged for an incident (each of their contact methods gets
    an outbox message)."""

    __tablename__ = "oncall_pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    escalation_id: Mapped[int] = mapped_column(ForeignKey("oncall_escalations.id"), index=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(20))
    step_index: Mapped[int]
    loop: Mapped[int]
    at: Mapped[datetime]


class UsedLink(Base):
    """A one-click link that was used (links work once)."""

    __tablename__ = "oncall_used_links"

    nonce: Mapped[str] = mapped_column(String(40), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20))
    used_at: Mapped[datetime]
    used_by: Mapped[str] = mapped_column(String(200))
