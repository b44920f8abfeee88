"""Drill runs, their injects, schedules and the reminders already sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base


class Drill(Base):
    """One run of a scenario. ``time_scale`` compresses the scenario clock:
    at 10, ten scenario minutes pass in one real minute."""

    __tablename__ = "drills"

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario: Mapped[str] = mapped_column(String(80), index=True)
    title: Mapped[str] = mapped_column(String(300))
    mode: Mapped[str] = mapped_column(String(20))
    team: Mapped[str] = mapped_column(String(100), default="")
    facilitator: Mapped[str] = mapped_column(String(200))
    participants: Mapped[list[Any]] = mapped_column(JSON, default=list)
    time_scale: Mapped[float] = mapped_column(default=1.0)
    page_real: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20), index=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    score: Mapped[int | None]
    scorecard: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    sandbox: Mapped[list[Any]] = mapped_column(JSON, default=list)
    """The drill's sandbox status page: what would have been posted publicly."""
    debrief: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_by: Mapped[str] = mapped_column(String(200))

    @property
    def ref(self) -> str:
        return f"DR-{self.id}"


class DrillInject(Base):
    """An inject of a run, due at its offset on the run's (scaled) clock."""

    __tablename__ = "drill_injects"
    __table_args__ = (UniqueConstraint("drill_id", "inject"),
                      Index("ix_drill_injects_due", "fired_at", "due_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("drills.id"), index=True)
    inject: Mapped[str] = mapped_column(String(80))
    due_at: Mapped[datetime]
    fired_at: Mapped[datetime | None]
    fired_by: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[str | None] = mapped_column(Text)


class DrillSchedule(Base):
    """A recurring exercise: the next run's date, who owns it, which scenario
    (``rotate`` walks the library in order)."""

    __tablename__ = "drill_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    every: Mapped[str] = mapped_column(String(20))
    scenario: Mapped[str] = mapped_column(String(80))
    owner: Mapped[str] = mapped_column(String(200))
    team: Mapped[str] = mapped_column(String(100), default="")
    next_at: Mapped[datetime] = mapped_column(index=True)
    runs: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(String(200))


class DrillReminder(Base):
    """A reminder already sent (its key names what it was for), so each is sent once."""

    __tablename__ = "drill_reminders"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    sent_at: Mapped[datetime]
