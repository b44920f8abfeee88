"""warroom's own alert shape, for any tool: its wire schema (strict: a typo is
refused, not ignored) and its mapping to :class:`IncomingAlert`. An alert
without a dedup key gets the fingerprint of its labels, as from Alertmanager."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from warroom.intake.schemas import (
    MAX_ANNOTATION_VALUE,
    MAX_SUMMARY,
    STRICT,
    Annotations,
    DedupKey,
    Labels,
    Url,
)
from warroom.intake.sources.alert import (
    IncomingAlert,
    Source,
    fingerprint,
    named_severity,
    summary_of,
)
from warroom.strict import Moment
from warroom.text import Line, Text

SOURCE = Source(name="generic", integration_path="/api/v1/alerts/generic/{key}")


class GenericAlert(BaseModel):
    """One alert from any tool. Only ``name`` is required."""

    model_config = STRICT
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


def incoming(alert: GenericAlert) -> IncomingAlert:
    labels = {**alert.labels, "alertname": alert.name}
    annotations = dict(alert.annotations)
    if alert.summary:
        annotations["summary"] = alert.summary
    if alert.description:
        annotations["description"] = alert.description
    return IncomingAlert(
        dedup_key=alert.dedup_key or fingerprint(labels), name=alert.name, status=alert.status,
        labels=labels, annotations=annotations, summary=summary_of(annotations, labels),
        severity=named_severity(alert.severity, "severity"), starts_at=alert.started_at,
        generator_url=alert.url)
