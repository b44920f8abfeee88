"""Join the evidence locker to the other domains' hooks."""

from __future__ import annotations

from warroom.audit import verify
from warroom.evidence import custody
from warroom.streamed import streams_own_body


def connect() -> None:
    """``warroom audit verify`` checks custody rows against the chain too;
    uploads stream past the request body limit (they have their own)."""
    verify.checks.connect(custody.check)
    streams_own_body(r"/api/v1/incidents/[^/]+/evidence")
