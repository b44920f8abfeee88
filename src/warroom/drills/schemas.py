"""Request and response shapes for drills."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from warroom.strict import Moment, Switch
from warroom.text import Line, Text

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DrillStartIn(BaseModel):
    model_config = _STRICT
    scenario: Line = Field(max_length=80, examples=["websocket-outage"])
    facilitator: Line = Field(max_length=64, examples=["carol"])
    participants: list[Line] = Field(min_length=1, max_length=50, examples=[["alice", "bob"]])
    time_scale: float = Field(1.0, gt=0, le=120)
    live: Switch = False
    team: Line = Field("", max_length=100)
    page_real: Switch = Field(False, description="Page the real rotation (admins only).")


class SandboxStatusIn(BaseModel):
    model_config = _STRICT
    status: Line = Field(max_length=40, examples=["investigating"])
    message: Text = Field(max_length=4000)


class DrillScheduleIn(BaseModel):
    model_config = _STRICT
    every: Line = Field("quarter", max_length=20)
    scenario: Line = Field("rotate", max_length=80)
    owner: Line = Field(max_length=64)
    first: Moment
    team: Line = Field("", max_length=100)


class ObjectiveOut(BaseModel):
    id: str
    title: str
    kind: str
    target_minutes: int
    status: str
    at_minutes: float | None
    late_by_minutes: float | None


class InjectOut(BaseModel):
    id: str
    due_at: datetime
    fired_at: datetime | None
    fired_by: str | None
    outcome: str | None


class DrillOut(BaseModel):
    id: str
    scenario: str
    title: str
    mode: str
    team: str
    status: str
    facilitator: str
    participants: list[str]
    time_scale: float
    incident: str | None
    started_at: datetime
    ended_at: datetime | None
    score: int | None
    scorecard: list[ObjectiveOut]
    injects: list[InjectOut]
    sandbox_status_page: list[dict[str, Any]]
    debrief: dict[str, Any] | None


class ScenarioOut(BaseModel):
    id: str
    title: str
    type: str
    severity: str
    difficulty: str
    duration_minutes: int
    mode: str
    objectives: int
    injects: int


class ScheduleOut(BaseModel):
    id: int
    every: str
    scenario: str
    next_scenario: str
    owner: str
    team: str
    next_at: datetime
