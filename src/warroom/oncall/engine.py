"""The worker's on-call cycle: advance due escalation timers."""

from __future__ import annotations

from warroom.oncall.escalation import timers

CYCLES = [("oncall.escalations", timers.advance)]
URGENT = ("oncall.escalations",)
"""Paging waits for nobody: the worker runs this cycle again (and delivers)
after any other cycle that took a while."""
