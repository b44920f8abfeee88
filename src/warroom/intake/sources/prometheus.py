"""Poll a Prometheus server's ``/api/v1/alerts`` for sites without
Alertmanager (``WARROOM_PROMETHEUS_URL``).

Every firing alert Prometheus reports is received like an Alertmanager alert
(same fingerprint, so switching to Alertmanager later changes nothing); an
alert this poller saw firing that Prometheus no longer reports has resolved.
Pending alerts (still inside their ``for:``) are ignored, as Alertmanager
would never see them.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

import httpx
import structlog
from sqlalchemy import select

from warroom.db import UnitOfWork
from warroom.intake import service
from warroom.intake import settings as intake_settings
from warroom.intake.models import Alert
from warroom.intake.sources.alert import IncomingAlert, fingerprint, severity_hint

log = structlog.get_logger("warroom.intake.poller")
SOURCE = "prometheus"
_last_poll: dict[str, float] = {}


def poll(uow: UnitOfWork) -> datetime | None:
    """The engine cycle: poll when due, return when the next poll is due."""
    settings = intake_settings.get()
    if not settings.prometheus_url:
        return None
    interval = settings.prometheus_poll_seconds
    since = time.monotonic() - _last_poll.get(settings.prometheus_url, 0.0)
    if since < interval:
        return uow.now() + timedelta(seconds=interval - since)
    _last_poll[settings.prometheus_url] = time.monotonic()
    reported = fetch(settings.prometheus_url)
    if reported is not None:
        receive(uow, reported)
    return uow.now() + timedelta(seconds=interval)


def fetch(url: str, timeout: float = 2.0) -> list[dict[str, Any]] | None:
    """The alerts Prometheus reports, or None if it cannot be asked right now."""
    try:
        answer = httpx.get(url.rstrip("/") + "/api/v1/alerts", timeout=timeout)
        answer.raise_for_status()
        return list(answer.json()["data"]["alerts"])
    except (httpx.HTTPError, ValueError, KeyError, TypeError) as failed:
        log.warning("cannot poll Prometheus", url=url, error=str(failed)[:200])
        return None


def receive(uow: UnitOfWork, reported: list[dict[str, Any]]) -> service.Report:
    firing = [_incoming(alert) for alert in reported if alert.get("state") == "firing"]
    seen = {alert.dedup_key for alert in firing}
    was_firing = uow.session.scalars(select(Alert.dedup_key).where(
        Alert.source == SOURCE, Alert.status == "firing"))
    gone = [IncomingAlert(dedup_key=key, name="", status="resolved", labels={},
                          reference_only=True) for key in was_firing if key not in seen]
    return service.receive(uow, alerts=firing + gone, source=SOURCE)


def _incoming(alert: dict[str, Any]) -> IncomingAlert:
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
