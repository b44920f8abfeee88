"""Audit gauges for /metrics: the length of the chain."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prometheus_client.core import GaugeMetricFamily, Metric

from warroom.audit import service as audit

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.orm import Session


def collect(session: Session) -> Iterator[Metric]:
    yield GaugeMetricFamily("warroom_audit_chain_length", "Entries in the audit chain",
                            value=audit.chain_length(session))
