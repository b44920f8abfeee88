"""A delivery (one request's alerts, from one sender) and its report: what
the pipeline takes in and what it answers each sender."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from warroom.intake.integrations import Caller
    from warroom.intake.sources.alert import IncomingAlert


@dataclass
class Report:
    """What one delivery did."""

    received: int = 0
    new: int = 0
    repeated: int = 0
    resolved: int = 0
    refired: int = 0
    held: int = 0
    opened: list[str] = field(default_factory=list)
    attached: list[str] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {"received": self.received, "new": self.new, "repeated": self.repeated,
                "resolved": self.resolved, "refired": self.refired, "held": self.held,
                "incidents_opened": self.opened, "incidents_attached": self.attached}


@dataclass
class Delivery:
    """One request's alerts, from one sender."""

    alerts: list[IncomingAlert]
    source: str
    integration: Caller | None = None
    report: Report = field(default_factory=Report)
    internal: bool = False
    """Made inside warroom (a drill's inject), not received from a sender: only
    such a delivery may carry :data:`~warroom.intake.hooks.RESERVED_LABELS`."""
