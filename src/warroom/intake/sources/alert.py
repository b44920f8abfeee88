"""Turn each sender's format into one shape, :class:`IncomingAlert`.

Whatever the sender, an alert ends up with an identity (the fingerprint
Alertmanager computed, a dedup key the sender chose, or the same fingerprint
computed here from the labels), a name, labels, a status and the severity the
sender named, if any. Everything after this module speaks only that shape.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from warroom.errors import Invalid
from warroom.incidents import catalog
from warroom.intake.schemas import (
    AlertmanagerWebhook,
    GenericAlert,
    PagerDutyEvent,
)

# The vocabulary senders use besides warroom's own (sev1-4, critical/high/
# medium/low): PagerDuty's four severities and Alertmanager's usual labels.
SENDER_SEVERITIES = {"error": "sev2", "warning": "sev3", "warn": "sev3", "info": "sev4",
                     "page": "sev1"}
_EPOCH = datetime(1970, 1, 2, tzinfo=UTC)


@dataclass(slots=True)
class IncomingAlert:
    dedup_key: str
    name: str
    status: str
    """firing | resolved | acknowledged (PagerDuty's acknowledge event)"""
    labels: dict[str, str]
    annotations: dict[str, Any] = field(default_factory=dict)
    summary: str = ""
    severity: str | None = None
    """The severity the sender named, as a warroom severity id, if it named one."""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    generator_url: str | None = None
    reference_only: bool = False
    """Only names an alert already stored (PagerDuty acknowledge/resolve events
    carry a dedup key and no payload); the rest is taken from the store."""


def from_alertmanager(webhook: AlertmanagerWebhook) -> list[IncomingAlert]:
    alerts = []
    for alert in webhook.alerts:
        labels = dict(alert.labels)
        alerts.append(IncomingAlert(
            dedup_key=alert.fingerprint or fingerprint(labels),
            name=labels.get("alertname", "") or "unnamed", status=alert.status, labels=labels,
            annotations=dict(alert.annotations),
            summary=_summary(alert.annotations, labels),
            severity=severity_hint(labels.get("severity")),
            starts_at=_moment(alert.startsAt), ends_at=_moment(alert.endsAt),
            generator_url=alert.generatorURL or None))
    return alerts


def from_generic(alert: GenericAlert) -> IncomingAlert:
    labels = {**alert.labels, "alertname": alert.name}
    annotations = dict(alert.annotations)
    if alert.summary:
        annotations["summary"] = alert.summary
    if alert.description:
        annotations["description"] = alert.description
    return IncomingAlert(
        dedup_key=alert.dedup_key or fingerprint(labels), name=alert.name, status=alert.status,
        labels=labels, annotations=annotations, summary=_summary(annotations, labels),
        severity=_named_severity(alert.severity, "severity"), starts_at=alert.started_at,
        generator_url=alert.url)


def from_pagerduty(event: PagerDutyEvent) -> IncomingAlert:
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
        starts_at=_moment(payload.timestamp), generator_url=event.client_url)


def fingerprint(labels: dict[str, str]) -> str:
    """The label-set fingerprint Prometheus and Alertmanager use (64-bit FNV-1a
    over sorted names and values, each followed by a 0xff separator), so an
    alert has the same identity whether it came through Alertmanager, the
    Prometheus poller or the generic receiver."""
    value = 0xCBF29CE484222325
    for name in sorted(labels):
        for part in (name, labels[name]):
            for byte in part.encode():
                value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
            value = ((value ^ 0xFF) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{value:016x}"


def severity_hint(value: str | None) -> str | None:
    """A warroom severity id for what the sender wrote, or None if it is not one."""
    if not value:
        return None
    return _severity_words().get(value.strip().lower())


@lru_cache(maxsize=1)
def _severity_words() -> dict[str, str]:
    """Every word for a severity (sev1, critical, 1, p1, error, warning...) -> its
    id, read once: alerts name severities thousands of times a second."""
    words = dict(SENDER_SEVERITIES)
    for level in catalog.severities():
        for word in (level.id, level.name, *level.aliases):
            words[str(word).strip().lower()] = level.id
    return words


def _named_severity(value: str | None, field_name: str) -> str | None:
    if value is None:
        return None
    hint = severity_hint(value)
    if hint is None:
        valid = [s.id for s in catalog.severities()] + sorted(SENDER_SEVERITIES)
        raise Invalid(f"{field_name}: {value!r} is not a severity; use one of "
                      f"{', '.join(valid)} or critical, high, medium, low.")
    return hint


def _summary(annotations: dict[str, Any], labels: dict[str, str]) -> str:
    text = annotations.get("summary") or annotations.get("description") or \
        annotations.get("message") or labels.get("alertname", "")
    return str(text)[:1024]


def _moment(value: datetime | None) -> datetime | None:
    """Alertmanager sends ``0001-01-01T00:00:00Z`` for "not set"."""
    if value is None or value < _EPOCH:
        return None
    return value.astimezone(UTC)
