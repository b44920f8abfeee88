"""Request and response shapes for playbooks, steps and preparedness."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from warroom.text import Line, Text

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AttachIn(BaseModel):
    model_config = _STRICT
    playbook: Line = Field(min_length=1, max_length=80, examples=["security-incident"])


class TickIn(BaseModel):
    model_config = _STRICT
    notes: Text | None = Field(None, max_length=5000)


class ItemTickIn(BaseModel):
    model_config = _STRICT
    note: Text | None = Field(None, max_length=2000)


class ItemOut(BaseModel):
    """One checklist item of a step, and who ticked it when (None: not yet)."""

    number: int
    text: str
    ticked_by: str | None = None
    ticked_at: datetime | None = None
    note: str | None = None


class SkipIn(BaseModel):
    model_config = _STRICT
    reason: Text = Field(min_length=3, max_length=2000)


class ApproveIn(BaseModel):
    model_config = _STRICT
    note: Text | None = Field(None, max_length=2000)


class OpenItemOut(BaseModel):
    """An open action item that asks for a change to the playbook."""

    ref: str
    title: str
    owner: str | None
    status: str
    due_at: datetime | None
    overdue: bool
    incident: str
    is_drill: bool


class PlaybookOut(BaseModel):
    name: str
    version: str
    title: str
    source: str
    content_hash: str
    incident_types: list[str]
    alerts: list[str]
    steps: int
    gates: list[str]
    file: str = ""
    open_items: int = 0
    """How many open action items point at this playbook's file."""
    open_action_items: list[OpenItemOut] = Field(default_factory=list)


class RunOut(BaseModel):
    playbook: str
    version: str
    content_hash: str
    title: str
    how: str
    anchor_at: datetime
    attached_at: datetime
    attached_by: str


class StepOut(BaseModel):
    id: int
    ref: str
    playbook: str
    step_id: str
    phase: str
    title: str
    role: str
    kind: str
    state: str
    status: str
    note: str | None
    due_window: str
    due_from: datetime | None
    due_by: datetime | None
    gate: bool
    destructive: bool
    source: str
    after: list[str]
    params: dict[str, Any]
    run_at: datetime | None
    attempts: int
    started_at: datetime | None
    finished_at: datetime | None
    outcome: dict[str, Any] | None
    output: str | None = None
    done_by: str | None
    notes: str | None
    approved_by: str | None
    approved_at: datetime | None
    overridden_by: str | None
    override_reason: str | None
    items: list[ItemOut] = Field(default_factory=list)


class IncidentPlaybooksOut(BaseModel):
    incident: str
    runs: list[RunOut]
    steps: list[StepOut]


class VerifyIn(BaseModel):
    model_config = _STRICT
    note: Text | None = Field(None, max_length=2000)


class OwnerIn(BaseModel):
    model_config = _STRICT
    owner: Line = Field(min_length=1, max_length=200)


class PreparednessItemOut(BaseModel):
    id: str
    text: str
    owner: str
    verify_every_days: int
    last_verified_at: datetime | None
    last_verified_by: str | None
    note: str | None
    due_at: datetime | None
    due: bool
