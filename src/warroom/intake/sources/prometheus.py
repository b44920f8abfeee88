"""Prometheus's own ``/api/v1/alerts``, for sites without Alertmanager: the
shape Prometheus reports alerts in, fetching them, and their mapping to
:class:`IncomingAlert` (polled by :mod:`warroom.intake.poller`).

A firing alert gets the same fingerprint Alertmanager would give it, so
switching to Alertmanager later changes nothing. Pending alerts (still inside
their ``for:``) are left out, as Alertmanager would never see them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import structlog

from warroom.intake.sources.alert import IncomingAlert, Source, fingerprint, severity_hint

log = structlog.get_logger("warroom.intake.poller")
SOURCE = Source(name="prometheus")


def fetch(url: str, timeout: float = 2.0) -> list[dict[str, Any]] | None:
    """The alerts Prometheus reports, or None if it cannot be asked right now."""
    try:
        answer = httpx.get(url.rstrip("/") + "/api/v1/alerts", timeout=timeout)
        answer.raise_for_status()
        return list(answer.json()["data"]["alerts"])
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as failed:
        log.warning("cannot poll Prometheus", url=url, error=str(failed)[:200])
        return None


def incoming(reported: list[dict[str, Any]]) -> list[IncomingAlert]:
    """The firing alerts among those Prometheus reported."""
    return [_one(alert) for alert in reported if alert.get("state") == "firing"]


def _one(alert: dict[str, Any]) -> IncomingAlert:
    labels = {str(k): str(v) for k, v in (alert.get("labels") or {}).items()}
    annotations = {str(k): str(v) for k, v in (alert.get("annotations") or {}).items()}
    started = alert.get("activeAt")
    return IncomingAlert(
        dedup_key=fingerprint(labels), name=labels.get("alertname", "unnamed"),
        status="firing", labels=labels, annotations=annotations,
        summary=str(annotations.get("summary") or annotations.get("description")
                    or labels.get("alertname", ""))[:1024],
        severity=severity_hint(labels.get("severity")),
        starts_at=datetime.fromisoformat(started.replace("Z", "+00:00")) if started else None)
