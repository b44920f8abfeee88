"""Join the incident core to the audit verifier."""

from __future__ import annotations

from warroom.audit import verify
from warroom.incidents import integrity


def connect() -> None:
    """``warroom audit verify`` checks the timeline and incident rows too."""
    verify.checks.connect(integrity.check_timeline)
    verify.checks.connect(integrity.check_incidents)
