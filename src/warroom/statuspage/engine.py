"""The worker's status page cycles: maintenance windows start, move to
verifying and complete on the clock (see ``maintenance.advance_due``), and
notices left open after their incident ended are reminded about
(``offers.remind_due``)."""

from __future__ import annotations

from warroom.statuspage.notices import maintenance, offers

CYCLES = [("statuspage.maintenance", maintenance.advance_due),
          ("statuspage.resolve_offers", offers.remind_due)]
