"""The worker's on-call cycle: advance due escalation timers."""

from __future__ import annotations

from warroom.oncall.escalation import timers

CYCLES = [("oncall.escalations", timers.advance)]
URGENT = ("oncall.escalations",)
"""Paging waits for nobody: a running worker also runs this cycle (and
delivers what it queues) in a loop of its own."""
