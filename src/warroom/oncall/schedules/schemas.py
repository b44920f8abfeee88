"""Request and response shapes for schedules."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from warroom.strict import LocalMoment
from warroom.text import Line, Text

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ScheduleIn(BaseModel):
    model_config = _STRICT
    name: Line = Field(min_length=1, max_length=64, examples=["primary"])
    time_zone: Line = Field("UTC", max_length=64, examples=["Europe/Berlin"])
    description: Text = Field("", max_length=500)


class ScheduleUpdate(BaseModel):
    model_config = _STRICT
    time_zone: Line | None = Field(None, max_length=64)
    description: Text | None = Field(None, max_length=500)


class LayerIn(BaseModel):
    """A rotation. Times without a zone are read in the schedule's zone."""

    model_config = _STRICT
    name: Line = Field("", max_length=100)
    rotation: Line = Field(max_length=10, examples=["weekly"])
    """daily, weekly or custom (with shift_hours)."""
    participants: list[Line] = Field(min_length=1, max_length=100)
    starts_at: LocalMoment = Field(examples=["2026-03-02T09:00"])
    """The first handoff; later handoffs keep its local time of day."""
    shift_hours: int | None = Field(None, ge=1, le=672)
    rank: int | None = Field(None, ge=0, le=1000)
    ends_at: LocalMoment | None = None
    active_days: Line = Field("", max_length=40, examples=["mon-fri"])
    active_from: Line | None = Field(None, max_length=5, examples=["09:00"])
    active_until: Line | None = Field(None, max_length=5, examples=["17:00"])


class OverrideIn(BaseModel):
    model_config = _STRICT
    user: Line = Field(min_length=1, max_length=64)
    starts_at: LocalMoment
    ends_at: LocalMoment
    replaces: Line | None = Field(None, max_length=64)
    reason: Text = Field("", max_length=500)


class LayerOut(BaseModel):
    id: int
    name: str
    rank: int
    rotation: str
    shift_hours: int
    starts_at: datetime
    ends_at: datetime | None
    participants: list[str]
    active_days: str
    active_from: str | None
    active_until: str | None


class OverrideOut(BaseModel):
    id: int
    user: str
    replaces: str | None
    starts_at: datetime
    ends_at: datetime
    reason: str
    created_by: str


class ScheduleOut(BaseModel):
    name: str
    description: str
    time_zone: str
    on_call_now: list[str]
    layers: list[LayerOut]
    overrides: list[OverrideOut]
    """Current and future overrides."""


class OnCallOut(BaseModel):
    schedule: str
    at: datetime
    users: list[str]


class ShiftOut(BaseModel):
    starts_at: datetime
    ends_at: datetime
    users: list[str]
