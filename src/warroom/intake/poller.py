"""Poll a Prometheus server's ``/api/v1/alerts`` for sites without
Alertmanager (``WARROOM_PROMETHEUS_URL``): the worker's cycle that receives
what :mod:`warroom.intake.sources.prometheus` reads.

Every firing alert Prometheus reports is received like an Alertmanager alert;
an alert this poller saw firing that Prometheus no longer reports has resolved.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from warroom.intake import service
from warroom.intake import settings as intake_settings
from warroom.intake.models import Alert
from warroom.intake.sources import prometheus
from warroom.intake.sources.alert import IncomingAlert

if TYPE_CHECKING:
    from warroom.db import UnitOfWork
    from warroom.intake.pipeline.delivery import Report

SOURCE = prometheus.SOURCE.name
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
    reported = prometheus.fetch(settings.prometheus_url)
    if reported is not None:
        receive(uow, reported)
    return uow.now() + timedelta(seconds=interval)


def receive(uow: UnitOfWork, reported: list[dict[str, Any]]) -> Report:
    firing = prometheus.incoming(reported)
    seen = {alert.dedup_key for alert in firing}
    was_firing = uow.session.scalars(select(Alert.dedup_key).where(
        Alert.source == SOURCE, Alert.status == "firing"))
    gone = [IncomingAlert(dedup_key=key, name="", status="resolved", labels={},
                          reference_only=True) for key in was_firing if key not in seen]
    return service.receive(uow, alerts=firing + gone, source=SOURCE)
