"""Request and response shapes of intake's administration (silences,
integrations, routing rules, monitoring, stored alerts), and the field types
the alert sources' wire formats share (:mod:`warroom.intake.sources`).

Third-party formats (Alertmanager, PagerDuty) are ``TOLERANT``: they ignore
fields they do not know, because senders add fields over time (Grafana adds
``orgId``, ``values``...) and an alert must not bounce because of one.
warroom's own shapes are ``STRICT`` and refuse unknown fields, so typos are
caught.
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

TOLERANT = ConfigDict(extra="ignore")
STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)


# --- administration ------------------------------------------------------------

class Matcher(BaseModel):
    """A label matcher, as in Alertmanager: equality or a (fully anchored) regex,
    optionally negated."""

    model_config = STRICT
    name: LabelName
    value: LabelValue
    is_regex: Switch = False
    is_equal: Switch = True


class SilenceIn(BaseModel):
    model_config = STRICT
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
    model_config = STRICT
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
    model_config = STRICT
    enabled: Switch
    reason: Text | None = Field(None, max_length=2000)


class MonitoringOut(BaseModel):
    enabled: bool
    changed_at: datetime | None
    changed_by: str | None
    re_evaluated: int = 0
    incidents_opened: list[str] = Field(default_factory=list)


class RoutingTestIn(BaseModel):
    model_config = STRICT
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
