"""Request bodies as PagerDuty documents them (unknown fields are ignored,
as PagerDuty ignores them)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

TOLERANT = ConfigDict(extra="ignore", str_strip_whitespace=True)


class Reference(BaseModel):
    model_config = TOLERANT
    id: str = Field(min_length=1, max_length=200)
    type: str | None = Field(None, max_length=60)


class Assignment(BaseModel):
    model_config = TOLERANT
    assignee: Reference


class Body(BaseModel):
    model_config = TOLERANT
    type: str | None = Field(None, max_length=60)
    details: Any = None


class IncidentIn(BaseModel):
    model_config = TOLERANT
    type: Literal["incident"]
    title: str = Field(min_length=1, max_length=300)
    service: Reference
    urgency: Literal["high", "low"] = "high"
    body: Body | None = None
    incident_key: str | None = Field(None, max_length=255)
    escalation_policy: Reference | None = None
    assignments: list[Assignment] = Field(default_factory=list, max_length=20)
    priority: Reference | None = None


class CreateIn(BaseModel):
    model_config = TOLERANT
    incident: IncidentIn


class IncidentChange(BaseModel):
    model_config = TOLERANT
    id: str | None = Field(None, max_length=40)
    type: Literal["incident", "incident_reference"]
    status: str | None = Field(None, max_length=20)
    urgency: str | None = Field(None, max_length=10)
    title: str | None = Field(None, min_length=1, max_length=300)
    resolution: str | None = Field(None, max_length=5000)
    escalation_policy: Reference | None = None
    assignments: list[Assignment] = Field(default_factory=list, max_length=20)


class UpdateIn(BaseModel):
    model_config = TOLERANT
    incident: IncidentChange


class BulkUpdateIn(BaseModel):
    model_config = TOLERANT
    incidents: list[IncidentChange] = Field(min_length=1, max_length=250)


class NoteBody(BaseModel):
    model_config = TOLERANT
    content: str = Field(min_length=1, max_length=25000)


class NoteIn(BaseModel):
    model_config = TOLERANT
    note: NoteBody
