"""The one shape every source's alerts are turned into, :class:`IncomingAlert`,
and what the sources share to get there.

Whatever the sender, an alert ends up with an identity (the fingerprint
Alertmanager computed, a dedup key the sender chose, or the same fingerprint
computed here from the labels), a name, labels, a status and the severity the
sender named, if any. Each source module (:mod:`warroom.intake.sources`) maps
its own wire format to this shape; everything after the sources speaks only it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from warroom.errors import Invalid
from warroom.incidents import catalog

# The vocabulary senders use besides warroom's own (sev1-4, critical/high/
# medium/low): PagerDuty's four severities and Alertmanager's usual labels.
SENDER_SEVERITIES = {"error": "sev2", "warning": "sev3", "warn": "sev3", "info": "sev4",
                     "page": "sev1"}
_EPOCH = datetime(1970, 1, 2, tzinfo=UTC)


@dataclass(frozen=True)
class Source:
    """What warroom needs to know about an alert source besides its format."""

    name: str
    """Stored as each alert's ``source``; also the kind of its integrations."""
    integration_path: str | None = None
    """Where an integration of this kind sends (``{key}`` is its key), if it
    has integrations at all (the Prometheus poller does not)."""


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


def named_severity(value: str | None, field_name: str) -> str | None:
    if value is None:
        return None
    hint = severity_hint(value)
    if hint is None:
        valid = [s.id for s in catalog.severities()] + sorted(SENDER_SEVERITIES)
        raise Invalid(f"{field_name}: {value!r} is not a severity; use one of "
                      f"{', '.join(valid)} or critical, high, medium, low.")
    return hint


def summary_of(annotations: dict[str, Any], labels: dict[str, str]) -> str:
    text = annotations.get("summary") or annotations.get("description") or \
        annotations.get("message") or labels.get("alertname", "")
    return str(text)[:1024]


def moment(value: datetime | None) -> datetime | None:
    """Alertmanager sends ``0001-01-01T00:00:00Z`` for "not set"."""
    if value is None or value < _EPOCH:
        return None
    return value.astimezone(UTC)
