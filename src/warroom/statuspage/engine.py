"""The worker's status page cycle: maintenance windows start, move to
verifying and complete on the clock (see ``maintenance.advance_due``)."""

from __future__ import annotations

from warroom.statuspage import maintenance

CYCLES = [("statuspage.maintenance", maintenance.advance_due)]
