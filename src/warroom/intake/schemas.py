"""Request and response shapes: the three alert formats warroom receives, and
the admin shapes for silences, integrations, routing rules and monitoring.

Third-party formats (Alertmanager, PagerDuty) ignore fields they do not know:
senders add fields over time (Grafana adds ``orgId``, ``values``...), and an
alert must not bounce because of one. warroom's own shapes refuse unknown
fields, so typos are caught.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from warroom.incidents.service import MAX_LABEL_KEY, MAX_LABEL_VALUE, MAX_LABELS
from warroom.strict import Moment, Switch
from warroom.text import Line, Text

MAX_ANNOTATIONS = 64
MAX_ANNOTATION_VALUE = 16_384
MAX_SUMMARY = 1024
MAX_DEDUP_KEY = 255

LabelName = Annotated[Line, StringConstraints(min_length=1, max_length=MAX_LABEL_KEY)]
LabelValue = Annotated[Line, StringConstraints(max_length=MAX_LABEL_VALUE)]
Labels = Annotated[dict[LabelName, LabelValue], Field(max_length=MAX_LABELS)]
AnnotationValue = Annotated[Text, StringConstraints(max_length=MAX_ANNOTATION_VALUE)]
Annotations = Annotated[dict[LabelName, AnnotationValue], Field(max_length=MAX_ANNOTATIONS)]
Url = Annotated[Line, StringConstraints(max_length=2000)]
DedupKey = Annotated[Line, StringConstraints(min_length=1, max_length=MAX_DEDUP_KEY)]

_TOLERANT = ConfigDict(extra="ignore")
_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)


# --- Alertmanager webhook, payload version 4 ---------------------------------

class AlertmanagerAlert(BaseModel):
    model_config = _TOLERANT
    status: Literal["firing", "resolved"]
    labels: Labels
    annotations: Annotations = Field(default_factory=dict)
    startsAt: Moment | None = None
    endsAt: Moment | None = None
    generatorURL: Url = ""
    fingerprint: Annotated[Line, StringConstraints(max_length=MAX_DEDUP_KEY)] | None = None


class AlertmanagerWebhook(BaseModel):
    """What Alertmanager's ``webhook_configs`` posts (``version: "4"``)."""

    model_config = _TOLERANT
    version: Annotated[Line, StringConstraints(max_length=10)] = "4"
    receiver: Annotated[Line, StringConstraints(max_length=200)] = ""
    status: Literal["firing", "resolved"] = "firing"
    alerts: list[AlertmanagerAlert]
    groupLabels: Labels = Field(default_factory=dict)
    commonLabels: Labels = Field(default_factory=dict)
    commonAnnotations: Annotations = Field(default_factory=dict)
    externalURL: Url = ""
    groupKey: Annotated[Line, StringConstraints(max_length=10_000)] = ""
    truncatedAlerts: int = 0


# --- warroom's generic shape ---------------------------------------------------

class GenericAlert(BaseModel):
    """One alert from any tool. Only ``name`` is required."""

    model_config = _STRICT
    name: Annotated[Line, StringConstraints(min_length=1, max_length=200)] = Field(
        examples=["DiskAlmostFull"])
    status: Literal["firing", "resolved"] = "firing"
    severity: Annotated[Line, StringConstraints(max_length=20)] | None = Field(
        None, examples=["high"])
    summary: Annotated[Text, StringConstraints(max_length=MAX_SUMMARY)] = ""
    description: Annotated[Text, StringConstraints(max_length=MAX_ANNOTATION_VALUE)] = ""
    labels: Labels = Field(default_factory=dict)
    annotations: Annotations = Field(default_factory=dict)
    dedup_key: DedupKey | None = None
    started_at: Moment | None = None
    url: Url | None = None



# --- PagerDuty Events API v2 ---------------------------------------------------

class PagerDutyPayload(BaseModel):
    model_config = _TOLERANT
    summary: Annotated[Text, StringConstraints(min_length=1, max_length=MAX_SUMMARY)]
    source: Annotated[Line, StringConstraints(min_length=1, max_length=255)]
    severity: Literal["critical", "error", "warning", "info"]
    timestamp: Moment | None = None
    component: Annotated[Line, StringConstraints(max_length=255)] | None = None
    group: Annotated[Line, StringConstraints(max_length=255)] | None = None
    class_: Annotated[Line, StringConstraints(max_length=255)] | None = Field(None, alias="class")
    custom_details: Any = None


class PagerDutyEvent(BaseModel):
    """An event as ``POST https://events.pagerduty.com/v2/enqueue`` takes it."""

    model_config = _TOLERANT
    routing_key: Annotated[Line, StringConstraints(min_length=1, max_length=100)]
    event_action: Literal["trigger", "acknowledge", "resolve"]
    dedup_key: DedupKey | None = None
    payload: PagerDutyPayload | None = None
    client: Annotated[Line, StringConstraints(max_length=255)] | None = None
    client_url: Url | None = None
    links: list[dict[str, Any]] | None = Field(None, max_length=50)
    images: list[dict[str, Any]] | None = Field(None, max_length=50)


class ChangePayload(BaseModel):
    model_config = _TOLERANT
    summary: Annotated[Text, StringConstraints(min_length=1, max_length=MAX_SUMMARY)]
    source: Annotated[Line, StringConstraints(min_length=1, max_length=255)]
    timestamp: Moment | None = None
    custom_details: Any = None


class ChangeEvent(BaseModel):
    """A change event as ``POST https://events.pagerduty.com/v2/change/enqueue`` takes it."""

    model_config = _TOLERANT
    routing_key: Annotated[Line, StringConstraints(min_length=1, max_length=100)]
    payload: ChangePayload
    links: list[dict[str, Any]] | None = Field(None, max_length=50)


# --- administration ------------------------------------------------------------

class Matcher(BaseModel):
    """A label matcher, as in Alertmanager: equality or a (fully anchored) regex,
    optionally negated."""

    model_config = _STRICT
    name: LabelName
    value: LabelValue
    is_regex: Switch = False
    is_equal: Switch = True


class SilenceIn(BaseModel):
    model_config = _STRICT
    matchers: list[Matcher] = Field(min_length=1, max_length=32)
    starts_at: Moment | None = None
    """Defaults to now."""
    ends_at: Moment | None = None
    duration_minutes: float | None = Field(None, gt=0, le=60 * 24 * 366)
    """Instead of ends_at."""
    comment: Text = Field(min_length=1, max_length=2000)



class SilenceOut(BaseModel):
    id: int
    matchers: list[Matcher]
    starts_at: datetime
    ends_at: datetime
    state: str
    created_by: str
    comment: str
    created_at: datetime
    expired_at: datetime | None


class IntegrationIn(BaseModel):
    model_config = _STRICT
    name: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    kind: Literal["alertmanager", "generic", "pagerduty"]


class IntegrationOut(BaseModel):
    id: int
    name: str
    kind: str
    prefix: str
    created_at: datetime
    created_by: str
    revoked_at: datetime | None
    url: str
    """Where the tool sends alerts (the key itself is shown only once)."""


class IssuedIntegrationOut(IntegrationOut):
    key: str
    """The secret: part of the URL, or the PagerDuty routing_key. Shown once."""


class MonitoringIn(BaseModel):
    model_config = _STRICT
    enabled: Switch
    reason: Text | None = Field(None, max_length=2000)


class MonitoringOut(BaseModel):
    enabled: bool
    changed_at: datetime | None
    changed_by: str | None
    re_evaluated: int = 0
    incidents_opened: list[str] = Field(default_factory=list)


class RoutingTestIn(BaseModel):
    model_config = _STRICT
    labels: Labels


class AlertOut(BaseModel):
    id: int
    dedup_key: str
    source: str
    name: str
    status: str
    severity: str
    summary: str
    labels: dict[str, str]
    annotations: dict[str, Any]
    generator_url: str | None
    rule: str
    incident_type: str
    incident: str | None
    held: str | None
    silence_id: int | None
    starts_at: datetime
    ends_at: datetime | None
    first_seen_at: datetime
    last_seen_at: datetime
    resolved_at: datetime | None
    acknowledged_at: datetime | None
    receive_count: int
    fire_count: int


class AlertGroupOut(BaseModel):
    id: int
    rule: str
    labels: dict[str, str]
    incident: str | None
    flapping: bool
    flapping_since: datetime | None
    refires_in_window: int
    updated_at: datetime
