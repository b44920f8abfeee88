"""Request and response shapes for people's contact methods and rules."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from warroom.http import DB_INT_MAX
from warroom.text import Line

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ContactMethodIn(BaseModel):
    model_config = _STRICT
    kind: Line = Field(max_length=10, examples=["sms"])
    """email, sms, voice, slack or webhook."""
    address: Line = Field(min_length=1, max_length=1000, examples=["+15551234567"])
    label: Line = Field("", max_length=100)
    secret: Line | None = Field(None, min_length=8, max_length=200)
    """Webhooks only: signs each delivery (Standard Webhooks); stored encrypted."""


class NotificationRuleIn(BaseModel):
    model_config = _STRICT
    contact_method_id: int = Field(ge=1, le=DB_INT_MAX)
    delay_minutes: int = Field(0, ge=0, le=1440)


class ProfileIn(BaseModel):
    model_config = _STRICT
    renotify_minutes: int | None = Field(None, ge=1, le=1440)
    """Page me again every N minutes until someone acknowledges (null: off)."""


class ContactMethodOut(BaseModel):
    id: int
    kind: str
    label: str
    address: str | None
    """Null for callers who may not see other people's addresses."""
    signed: bool
    created_at: datetime


class NotificationRuleOut(BaseModel):
    id: int
    contact_method_id: int
    kind: str
    delay_minutes: int


class PersonOut(BaseModel):
    username: str
    display_name: str
    email: str | None
    """Null when unset, or for callers who may not see other people's addresses."""
    renotify_minutes: int | None
    contact_methods: list[ContactMethodOut]
    notification_rules: list[NotificationRuleOut]
    teams: list[str]
