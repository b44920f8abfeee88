"""PagerDuty's Events API v2 (``/v2/enqueue``: trigger, acknowledge, resolve)
and its change events (``/v2/change/enqueue``): their wire schemas, the rules
PagerDuty applies beyond the schema, and the mapping of an event to
:class:`IncomingAlert` (a change is stored as it is, :mod:`warroom.intake.changes`).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import orjson
from pydantic import BaseModel, Field, StringConstraints, ValidationError

from warroom.intake.schemas import MAX_SUMMARY, TOLERANT, DedupKey, Url
from warroom.intake.sources.alert import (
    SENDER_SEVERITIES,
    IncomingAlert,
    Source,
    moment,
    severity_hint,
)
from warroom.strict import Moment
from warroom.text import Line, Text, field_errors

SOURCE = Source(name="pagerduty", integration_path="/v2/enqueue")


class PagerDutyPayload(BaseModel):
    model_config = TOLERANT
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

    model_config = TOLERANT
    routing_key: Annotated[Line, StringConstraints(min_length=1, max_length=100)]
    event_action: Literal["trigger", "acknowledge", "resolve"]
    dedup_key: DedupKey | None = None
    payload: PagerDutyPayload | None = None
    client: Annotated[Line, StringConstraints(max_length=255)] | None = None
    client_url: Url | None = None
    links: list[dict[str, Any]] | None = Field(None, max_length=50)
    images: list[dict[str, Any]] | None = Field(None, max_length=50)


class ChangePayload(BaseModel):
    model_config = TOLERANT
    summary: Annotated[Text, StringConstraints(min_length=1, max_length=MAX_SUMMARY)]
    source: Annotated[Line, StringConstraints(min_length=1, max_length=255)]
    timestamp: Moment | None = None
    custom_details: Any = None


class ChangeEvent(BaseModel):
    """A change event as ``POST https://events.pagerduty.com/v2/change/enqueue`` takes it."""

    model_config = TOLERANT
    routing_key: Annotated[Line, StringConstraints(min_length=1, max_length=100)]
    payload: ChangePayload
    links: list[dict[str, Any]] | None = Field(None, max_length=50)


def incoming(event: PagerDutyEvent) -> IncomingAlert:
    """PagerDuty events carry no labels; the payload's fields become labels so
    that routing rules can match them. ``alertname`` is the summary, not the
    class: PagerDuty groups by dedup key, and a class such as ``latency`` is
    shared by unrelated events (a rule may still ``group_by: [class]``).
    Acknowledge and resolve events only name the alert, as at PagerDuty,
    which ignores their payload."""
    action = {"trigger": "firing", "resolve": "resolved"}.get(event.event_action, "acknowledged")
    payload = event.payload
    if payload is None or event.event_action != "trigger":
        return IncomingAlert(dedup_key=event.dedup_key or "", name="", status=action, labels={},
                             reference_only=True)
    labels = {"alertname": payload.summary[:200], "source": payload.source,
              "severity": payload.severity}
    for name in ("component", "group"):
        value = getattr(payload, name)
        if value:
            labels[name] = value
    if payload.class_:
        labels["class"] = payload.class_
    annotations: dict[str, Any] = {"summary": payload.summary}
    if payload.custom_details is not None:
        annotations["details"] = payload.custom_details
    if event.client:
        annotations["client"] = event.client
    return IncomingAlert(
        dedup_key=event.dedup_key or uuid.uuid4().hex, name=labels["alertname"],
        status=action, labels=labels, annotations=annotations, summary=payload.summary,
        severity=SENDER_SEVERITIES.get(payload.severity) or severity_hint(payload.severity),
        starts_at=moment(payload.timestamp), generator_url=event.client_url)


def problems(event: PagerDutyEvent) -> list[str]:
    """What PagerDuty refuses in an event that its schema lets through."""
    if event.event_action == "trigger" and event.payload is None:
        return ["'payload' is missing or blank (required for trigger events)"]
    if event.event_action != "trigger" and not event.dedup_key:
        return [f"'dedup_key' is missing or blank (required for {event.event_action} events)"]
    return []


def unstorable(event: ChangeEvent) -> str | None:
    """JSON columns are written with orjson, which holds integers to 64 bits:
    refuse a bigger one with PagerDuty's 400 rather than fail to store it."""
    for where, value in (("payload.custom_details", event.payload.custom_details),
                         ("links", event.links)):
        try:
            orjson.dumps(value)
        except TypeError:
            return f"'{where}': holds a number too large to store (at most 64-bit integers)"
    return None


def errors(bad: ValidationError) -> list[str]:
    """A validation error as PagerDuty words it: one sentence per field."""
    return [f"'{error['field']}': {error['message']}"
            for error in field_errors(bad.errors(include_url=False))]
