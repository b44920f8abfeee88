"""Alert sources: one module per format warroom takes alerts in, holding its
wire schema and its mapping to the one internal shape,
:class:`warroom.intake.sources.alert.IncomingAlert`.

A new format is a new module here (its schema, ``incoming()`` and ``SOURCE``)
and one line in :data:`SOURCES`; integrations of its kind follow from it.
How the alerts arrive is :mod:`warroom.intake.receivers` (HTTP receivers)
and :mod:`warroom.intake.poller` (Prometheus, polled).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.intake.sources import alertmanager, generic, pagerduty, prometheus

if TYPE_CHECKING:
    from warroom.intake.sources.alert import Source

SOURCES: tuple[Source, ...] = (
    alertmanager.SOURCE,
    generic.SOURCE,
    pagerduty.SOURCE,
    prometheus.SOURCE,
)
