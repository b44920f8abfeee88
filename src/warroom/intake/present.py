"""Shape alerts, groups, silences and integrations for operators (API and CLI alike)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.intake import integrations, service, silences
from warroom.intake.schemas import (
    AlertGroupOut,
    AlertOut,
    IntegrationOut,
    IssuedIntegrationOut,
    Matcher,
    SilenceOut,
)

if TYPE_CHECKING:
    from datetime import datetime

    from warroom.intake.models import Alert, AlertGroup, Integration, Silence


def alert(row: Alert) -> AlertOut:
    return AlertOut(
        id=row.id, dedup_key=row.dedup_key, source=row.source, name=row.name,
        status=row.status, severity=row.severity, summary=row.summary,
        labels=row.labels or {}, annotations=row.annotations or {},
        generator_url=row.generator_url, rule=row.rule, incident_type=row.incident_type,
        incident=f"INC-{row.incident_id}" if row.incident_id else None, held=row.held,
        silence_id=row.silence_id, starts_at=row.starts_at, ends_at=row.ends_at,
        first_seen_at=row.first_seen_at, last_seen_at=row.last_seen_at,
        resolved_at=row.resolved_at, acknowledged_at=row.acknowledged_at,
        receive_count=row.receive_count, fire_count=row.fire_count)


def group(row: AlertGroup, *, now: datetime) -> AlertGroupOut:
    return AlertGroupOut(
        id=row.id, rule=row.rule, labels=row.labels or {},
        incident=f"INC-{row.incident_id}" if row.incident_id else None,
        flapping=row.flapping_since is not None, flapping_since=row.flapping_since,
        refires_in_window=service.refires_in_window(row, now=now), updated_at=row.updated_at)


def silence(row: Silence, *, now: datetime) -> SilenceOut:
    return SilenceOut(
        id=row.id, matchers=[Matcher.model_validate(m) for m in row.matchers],
        starts_at=row.starts_at, ends_at=row.ends_at, state=silences.state_of(row, now),
        created_by=row.created_by, comment=row.comment, created_at=row.created_at,
        expired_at=row.expired_at)


def integration(row: Integration) -> IntegrationOut:
    return IntegrationOut(id=row.id, name=row.name, kind=row.kind, prefix=row.prefix,
                          created_at=row.created_at, created_by=row.created_by,
                          revoked_at=row.revoked_at, url=integrations.url(row))


def issued(issued: integrations.IssuedIntegration) -> IssuedIntegrationOut:
    row = issued.integration
    return IssuedIntegrationOut(**integration(row).model_dump() | {
        "url": integrations.url(row, issued.key)}, key=issued.key)
