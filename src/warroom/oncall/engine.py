"""The worker's on-call cycle: advance due escalation timers."""

from __future__ import annotations

from warroom.oncall.escalation import timers

CYCLES = [("oncall.escalations", timers.advance)]
