"""Request and response bodies of the review, action-item and metrics routes."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from warroom.strict import Moment

if TYPE_CHECKING:
    from warroom.reviews.models import ActionItem


class SectionsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sections: dict[str, str] = Field(description="Section name -> Markdown.")


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = ""


class WaiveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str


class FigureOut(BaseModel):
    metric: str
    title: str
    value: float | None
    unit: str
    start: str = Field(description="The event the figure is measured from.")
    end: str = Field(description="The event the figure is measured to.")
    from_at: datetime | None
    to_at: datetime | None
    met: bool | None = None
    target: str | None = None


class ReviewOut(BaseModel):
    incident: str
    state: str
    sections: dict[str, str]
    first_notes_due_at: datetime
    due_at: datetime
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None
    decided_by: str | None
    waiver_reason: str | None
    signoffs: list[dict[str, Any]]
    facts: dict[str, Any]


class ActionItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    incident: str = Field(description="INC-n")
    title: str
    owner: str | None = None
    team: str | None = None
    priority: str = "medium"
    due_at: Moment | None = None
    tracker_url: str | None = None
    source: str = "review"
    playbook: str | None = None


class ActionItemPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str | None = None
    owner: str | None = None
    team: str | None = None
    priority: str | None = None
    due_at: Moment | None = None
    tracker_url: str | None = None
    playbook: str | None = None
    status: str | None = None
    note: str | None = None


class ActionItemOut(BaseModel):
    ref: str
    incident: str
    title: str
    owner: str | None
    team: str | None
    priority: str
    due_at: datetime | None
    status: str
    note: str | None
    tracker_url: str | None
    source: str
    playbook: str | None
    created_at: datetime
    created_by: str
    overdue: bool


def item_out(item: ActionItem, now: datetime) -> ActionItemOut:
    return ActionItemOut(
        ref=f"AI-{item.id}", incident=f"INC-{item.incident_id}", title=item.title,
        owner=item.owner, team=item.team, priority=item.priority, due_at=item.due_at,
        status=item.status, note=item.note, tracker_url=item.tracker_url, source=item.source,
        playbook=item.playbook, created_at=item.created_at, created_by=item.created_by,
        overdue=item.status in ("open", "in_progress") and item.due_at is not None
        and item.due_at < now)


class MeetingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    starts_at: Moment
    minutes: int = Field(60, ge=15, le=480)
    location: str = Field("", max_length=500)
    participants: list[str] = Field(default_factory=list, max_length=100,
                                    description="Usernames besides the incident's role holders")


class NotesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    notes: str = Field(max_length=100_000)


class MeetingOut(BaseModel):
    starts_at: datetime
    minutes: int
    location: str
    participants: list[str]
    notes: str
