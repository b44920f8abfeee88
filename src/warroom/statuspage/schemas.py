"""Request and response shapes of the status page's admin API. (The public
JSON follows Statuspage's field names and is shaped in ``views``.)"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from warroom.strict import Moment, Switch
from warroom.text import Line, Text

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)
Name = Field(min_length=1, max_length=100)
StatusMap: Any = Field(default_factory=dict, max_length=200,
                  description="Component name (or id) to status, e.g. {\"media\": \"degraded\"}.")


class AdminStatusIn(BaseModel):
    """Seed 002's "Status Page Update" call."""

    model_config = _STRICT
    status: Line = Field(max_length=40, examples=["degraded"],
                        description="A component word (operational, degraded, partial, outage, "
                                    "major, maintenance, or Statuspage's own) or an incident "
                                    "status (investigating, identified, monitoring, resolved).")
    message: Text | None = Field(None, max_length=20_000)
    components: dict[Line, Line] = StatusMap
    title: Line | None = Field(None, max_length=300)
    incident: Line | None = Field(None, max_length=12,
                                 description="The public incident to update (default: the "
                                             "current status notice).")
    internal_incident: Line | None = Field(
        None, max_length=40, examples=["INC-7"],
        description="The internal incident this notice belongs to: its timeline hears "
                    "each update, and resolving it offers this notice for resolution.")
    notify: Switch = True


class AdminMaintenanceIn(BaseModel):
    """Seed 002's maintenance-mode call."""

    model_config = _STRICT
    enabled: Switch
    message: Text | None = Field(None, max_length=2000)
    components: list[Line] | None = Field(None, max_length=200,
                                         description="Default: every component.")


class ComponentIn(BaseModel):
    model_config = _STRICT
    name: Line = Name
    description: Text = Field("", max_length=1000)
    group: Line | None = Field(None, max_length=100)
    position: int | None = Field(None, ge=0, le=100_000)
    status: Line = Field("operational", max_length=40)
    showcase: Switch = True
    only_show_if_degraded: Switch = False


class ComponentEdit(BaseModel):
    model_config = _STRICT
    name: Line | None = Field(None, min_length=1, max_length=100)
    description: Text | None = Field(None, max_length=1000)
    group: Line | None = Field(None, max_length=100, description="Empty string: no group.")
    position: int | None = Field(None, ge=0, le=100_000)
    status: Line | None = Field(None, max_length=40)
    showcase: Switch | None = None
    only_show_if_degraded: Switch | None = None


class ComponentOut(BaseModel):
    id: str
    name: str
    description: str
    group: str | None
    position: int
    status: str
    showcase: bool
    only_show_if_degraded: bool
    created_at: datetime
    updated_at: datetime


class IncidentIn(BaseModel):
    model_config = _STRICT
    name: Line = Field(min_length=1, max_length=300)
    status: Line = Field("investigating", max_length=20)
    body: Text = Field(min_length=1, max_length=20_000)
    impact: Line | None = Field(None, max_length=20, description="Override the impact "
                                "derived from the components: none, minor, major, critical.")
    components: dict[Line, Line] = StatusMap
    internal_incident: Line | None = Field(None, max_length=30, examples=["INC-42"])
    deliver_notifications: Switch = True


class IncidentUpdateIn(BaseModel):
    model_config = _STRICT
    status: Line = Field(max_length=20)
    body: Text | None = Field(None, max_length=20_000)
    components: dict[Line, Line] = StatusMap
    deliver_notifications: Switch = True


class IncidentEdit(BaseModel):
    model_config = _STRICT
    name: Line | None = Field(None, min_length=1, max_length=300)
    impact: Line | None = Field(None, max_length=20)
    internal_incident: Line | None = Field(None, max_length=30,
                                           description="Empty string: unlink.")


class MaintenanceIn(BaseModel):
    model_config = _STRICT
    name: Line = Field(min_length=1, max_length=300)
    scheduled_for: Moment
    scheduled_until: Moment
    components: list[Line] = Field(default_factory=list, max_length=200)
    body: Text | None = Field(None, max_length=20_000)
    auto_transition: Switch = True
    verify_minutes: int | None = Field(None, ge=0, le=1440)
    deliver_notifications: Switch = True



class MaintenanceEdit(BaseModel):
    model_config = _STRICT
    name: Line | None = Field(None, min_length=1, max_length=300)
    scheduled_for: Moment | None = None
    scheduled_until: Moment | None = None
    components: list[Line] | None = Field(None, max_length=200)
    auto_transition: Switch | None = None
    verify_minutes: int | None = Field(None, ge=0, le=1440)



class MaintenanceUpdateIn(BaseModel):
    model_config = _STRICT
    status: Line = Field(max_length=20, examples=["in_progress"])
    body: Text | None = Field(None, max_length=20_000)
    deliver_notifications: Switch = True


class UpdateOut(BaseModel):
    id: str
    status: str
    body: str
    created_at: datetime
    affected_components: list[dict[str, Any]] | None


class EntryOut(BaseModel):
    """A public incident or maintenance as operators see it (with the
    internal incident it points at, which the public never sees)."""

    id: str
    kind: str
    name: str
    status: str
    impact: str
    internal_incident: str | None
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    scheduled_for: datetime | None
    scheduled_until: datetime | None
    auto_transition: bool
    components: list[str]
    updates: list[UpdateOut]
    public_url: str


class SubscriberIn(BaseModel):
    model_config = _STRICT
    kind: Literal["email", "webhook"]
    email: Line | None = Field(None, max_length=320)
    url: Line | None = Field(None, max_length=500)
    secret: Line | None = Field(None, max_length=200, description="Webhook signing secret "
                               "(whsec_<base64> or 16+ characters); generated if left out.")


class SubscriberOut(BaseModel):
    id: str
    kind: str
    destination: str
    status: str
    created_at: datetime
    confirmed_at: datetime | None
    unsubscribed_at: datetime | None
    secret: str | None = Field(None, description="Shown once, when a webhook is added.")


class PageOut(BaseModel):
    id: str
    name: str
    url: str
    indicator: str
    description: str
    maintenance_mode: EntryOut | None
    components: list[ComponentOut]
    current_incident: EntryOut | None = None
