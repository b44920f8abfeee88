"""Request and response shapes for communications."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from warroom.errors import Invalid
from warroom.text import Line, Text

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)
Item = Annotated[Line, Field(max_length=500)]


class MessageFields(BaseModel):
    """What the person sending may say; anything left out is taken from the
    incident (or says it is not known yet)."""

    model_config = _STRICT
    brief: Line | None = Field(None, max_length=200, description="[Brief Description]")
    impact: Text | None = Field(None, max_length=2000, description="Current / initial impact")
    current_status: Text | None = Field(None, max_length=4000)
    status: Line | None = Field(None, max_length=40, examples=["Investigating"])
    root_cause: Line | None = Field(None, max_length=200, examples=["Identified"])
    eta: Line | None = Field(None, max_length=200, description="Expected resolution")
    actions: list[Item] = Field(default_factory=list, max_length=30)
    next_steps: list[Item] = Field(default_factory=list, max_length=30)
    customer_impact: Text | None = Field(None, max_length=2000)
    detected_by: Line | None = Field(None, max_length=200)
    public_impact: Text | None = Field(None, max_length=500,
                                      description="How users would describe the problem")


class PreviewIn(BaseModel):
    model_config = _STRICT
    template: Line = Field(max_length=40, examples=["status_update"])
    fields: MessageFields = Field(default_factory=MessageFields)


class SendIn(PreviewIn):
    to: list[Annotated[Line, Field(min_length=3, max_length=2000)]] = Field(
        min_length=1, max_length=20,
        examples=[["role:communications_lead", "email:exec@example.com"]])


class RenderedOut(BaseModel):
    template: str
    title: str
    update_number: int | None
    subject: str
    body: str


class MessageOut(RenderedOut):
    id: int
    recipients: list[str]
    sent_at: datetime
    sent_by: str


class TemplateOut(BaseModel):
    id: str
    title: str
    source: str
    audience: str
    numbered: bool
    counts_as_update: bool


class CadenceOut(BaseModel):
    cadence_minutes: int | None
    last_update_at: datetime | None
    next_update_due_at: datetime | None
    overdue: bool
    reminders_sent: int


def fields_of(data: dict[str, Any]) -> MessageFields:
    """Validate fields given as a plain dict (a playbook's notify step)."""
    try:
        return MessageFields.model_validate(data)
    except ValidationError as problem:
        first = problem.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise Invalid(f"Message field {where}: {first.get('msg')}.") from None
