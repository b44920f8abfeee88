"""Request and response shapes for incidents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from warroom.errors import Invalid
from warroom.incidents import catalog
from warroom.strict import Moment, Switch
from warroom.text import Line, Text

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _severity(value: str) -> str:
    try:
        return catalog.severity(value).id
    except Invalid as problem:
        raise ValueError(problem.detail) from None


def _type(value: str) -> str:
    try:
        return catalog.incident_type(value).value
    except Invalid as problem:
        raise ValueError(problem.detail) from None


class IncidentCreate(BaseModel):
    """Declare an incident. Only ``type`` and ``severity`` are required; the
    title defaults to the first line of the description."""

    model_config = _STRICT
    type: Line = Field(max_length=40, examples=["security_breach"])
    severity: Line = Field(max_length=20, examples=["critical", "sev1"])
    title: Line | None = Field(None, max_length=300)
    description: Text = Field("", max_length=20_000)
    services: list[Line] = Field(default_factory=list, max_length=32)
    labels: dict[Line, Line] = Field(default_factory=dict)
    is_drill: Switch = False
    personal_data_breach: Switch = False
    related: list[Line] = Field(default_factory=list, max_length=50)
    started_at: Moment | None = None
    detected_at: Moment | None = None

    _check_severity = field_validator("severity")(_severity)
    _check_type = field_validator("type")(_type)



class IncidentUpdate(BaseModel):
    model_config = _STRICT
    title: Line | None = Field(None, min_length=1, max_length=300)
    description: Text | None = Field(None, max_length=20_000)
    type: Line | None = Field(None, max_length=40)
    severity: Line | None = Field(None, max_length=20)
    reason: Text | None = Field(None, max_length=2000)
    services: list[Line] | None = Field(None, max_length=32)
    labels: dict[Line, Line] | None = None
    personal_data_breach: Switch | None = None
    is_drill: Switch | None = None

    @field_validator("severity")
    @classmethod
    def _check_severity(cls, value: str | None) -> str | None:
        return None if value is None else _severity(value)

    @field_validator("type")
    @classmethod
    def _check_type(cls, value: str | None) -> str | None:
        return None if value is None else _type(value)


class TransitionIn(BaseModel):
    model_config = _STRICT
    phase: Line = Field(max_length=40, examples=["containment"])
    note: Text | None = Field(None, max_length=5000)
    override_reason: Text | None = Field(None, max_length=2000)
    """Commanders only: proceed although a playbook gate has not passed."""


class RoleAssignIn(BaseModel):
    model_config = _STRICT
    role: Line = Field(max_length=40, examples=["incident_commander"])
    primary: Line | None = Field(None, max_length=64)
    backup: Line | None = Field(None, max_length=64)


class NoteIn(BaseModel):
    model_config = _STRICT
    text: Text = Field(min_length=1, max_length=20_000)


class MilestoneEdit(BaseModel):
    model_config = _STRICT
    milestone: Line = Field(max_length=30, examples=["started_at"])
    value: Moment | None
    reason: Text = Field(min_length=3, max_length=2000)



class DeclaredInErrorIn(BaseModel):
    model_config = _STRICT
    reason: Text = Field(min_length=3, max_length=2000)


class LinkIn(BaseModel):
    model_config = _STRICT
    incident: Line = Field(max_length=20, examples=["INC-12"])


class RoleOut(BaseModel):
    role: str
    name: str
    primary: str | None
    backup: str | None
    assigned_at: datetime
    assigned_by: str


class Targets(BaseModel):
    response_target: str
    response_due_at: datetime
    response_breached: bool
    minutes_to_acknowledge: float | None
    minutes_to_contain: float | None
    minutes_to_resolve: float | None


class IncidentOut(BaseModel):
    id: str
    number: int
    title: str
    description: str
    type: str
    severity: str
    severity_name: str
    phase: str
    legal_next_phases: list[str]
    services: list[str]
    labels: dict[str, str]
    is_drill: bool
    personal_data_breach: bool
    declared_in_error: bool
    source: str
    created_by: str
    started_at: datetime
    detected_at: datetime
    declared_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    contained_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    updated_at: datetime
    roles: list[RoleOut]
    related: list[dict[str, str]]
    targets: Targets
    extra: dict[str, Any] = Field(default_factory=dict)
    """What other domains add to the incident view (playbook steps, pages...)."""


class TimelineEventOut(BaseModel):
    id: int
    at: datetime
    kind: str
    actor: str
    summary: str
    data: dict[str, Any] | None


class SeverityOut(BaseModel):
    id: str
    name: str
    aliases: list[str]
    definition: str
    criteria: str
    examples: list[str]
    response_target: str
    response_target_minutes: int | None
    engagement_target: str
    engagement_target_minutes: int | None
    escalation: str
    escalation_tier: str
    update_cadence_minutes: int | None
