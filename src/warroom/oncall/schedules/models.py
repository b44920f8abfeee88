"""Schedules, their rotation layers and temporary overrides."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from warroom.db import Base


class Schedule(Base):
    """Who is on call, evaluated in one IANA time zone (handoffs follow its
    wall clock across daylight-saving changes)."""

    __tablename__ = "oncall_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    time_zone: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Layer(Base):
    """A rotation: participants take turns in shifts of ``shift_hours`` local
    hours from ``starts_at``. A higher ``rank`` wins where it has someone on
    call; an optional daily window limits when the layer applies."""

    __tablename__ = "oncall_layers"

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("oncall_schedules.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    rank: Mapped[int]
    rotation: Mapped[str] = mapped_column(String(10))
    shift_hours: Mapped[int]
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime | None]
    active_days: Mapped[str] = mapped_column(String(40), default="")
    active_from: Mapped[str | None] = mapped_column(String(5))
    active_until: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime]


class LayerMember(Base):
    __tablename__ = "oncall_layer_members"
    __table_args__ = (UniqueConstraint("layer_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    layer_id: Mapped[int] = mapped_column(ForeignKey("oncall_layers.id"))
    position: Mapped[int]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)


class Override(Base):
    """For a while, ``user_id`` is on call instead of ``replaces_user_id`` (or
    instead of whoever the layers say, when that is empty)."""

    __tablename__ = "oncall_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("oncall_schedules.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    replaces_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
