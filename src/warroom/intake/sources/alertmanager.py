"""Alertmanager's ``webhook_configs`` (payload version 4): its wire schema and
its mapping to :class:`IncomingAlert`. Alertmanager computed each alert's
fingerprint already; it is the alert's identity here too."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from warroom.intake.schemas import MAX_DEDUP_KEY, TOLERANT, Annotations, Labels, Url
from warroom.intake.sources.alert import (
    IncomingAlert,
    Source,
    fingerprint,
    moment,
    severity_hint,
    summary_of,
)
from warroom.strict import Moment
from warroom.text import Line

SOURCE = Source(name="alertmanager", integration_path="/api/v1/alerts/alertmanager/{key}")


class AlertmanagerAlert(BaseModel):
    model_config = TOLERANT
    status: Literal["firing", "resolved"]
    labels: Labels
    annotations: Annotations = Field(default_factory=dict)
    startsAt: Moment | None = None
    endsAt: Moment | None = None
    generatorURL: Url = ""
    fingerprint: Annotated[Line, StringConstraints(max_length=MAX_DEDUP_KEY)] | None = None


class AlertmanagerWebhook(BaseModel):
    """What Alertmanager's ``webhook_configs`` posts (``version: "4"``)."""

    model_config = TOLERANT
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


def incoming(webhook: AlertmanagerWebhook) -> list[IncomingAlert]:
    alerts = []
    for alert in webhook.alerts:
        labels = dict(alert.labels)
        alerts.append(IncomingAlert(
            dedup_key=alert.fingerprint or fingerprint(labels),
            name=labels.get("alertname", "") or "unnamed", status=alert.status, labels=labels,
            annotations=dict(alert.annotations),
            summary=summary_of(alert.annotations, labels),
            severity=severity_hint(labels.get("severity")),
            starts_at=moment(alert.startsAt), ends_at=moment(alert.endsAt),
            generator_url=alert.generatorURL or None))
    return alerts
