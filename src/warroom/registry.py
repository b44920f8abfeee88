"""Every domain warroom runs, in order.

The order matters twice: routers and commands are mounted in it, and each
domain's ``connect`` runs in it, so listeners of one hook fire in this order
(paging before playbooks before the update cadence on ``incident.declared``).
A new domain is one :class:`~warroom.domain.Domain` in its package and one
line here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.audit.domain import DOMAIN as AUDIT
from warroom.auth.domain import DOMAIN as AUTH
from warroom.chatops.domain import DOMAIN as CHATOPS
from warroom.comms.domain import DOMAIN as COMMS
from warroom.compliance.domain import DOMAIN as COMPLIANCE
from warroom.console.domain import DOMAIN as CONSOLE
from warroom.drills.domain import DOMAIN as DRILLS
from warroom.evidence.domain import DOMAIN as EVIDENCE
from warroom.incidents.domain import DOMAIN as INCIDENTS
from warroom.intake.domain import DOMAIN as INTAKE
from warroom.notify.domain import DOMAIN as NOTIFY
from warroom.oncall.domain import DOMAIN as ONCALL
from warroom.pagerduty.domain import DOMAIN as PAGERDUTY
from warroom.playbooks.domain import DOMAIN as PLAYBOOKS
from warroom.reviews.domain import DOMAIN as REVIEWS
from warroom.statuspage.domain import DOMAIN as STATUSPAGE

if TYPE_CHECKING:
    from warroom.domain import Domain, EngineCycle

DOMAINS: tuple[Domain, ...] = (
    AUTH,
    AUDIT,
    INCIDENTS,
    NOTIFY,
    INTAKE,
    ONCALL,
    PLAYBOOKS,
    COMMS,
    EVIDENCE,
    STATUSPAGE,
    REVIEWS,
    COMPLIANCE,
    DRILLS,
    CONSOLE,
    PAGERDUTY,
    CHATOPS,
)

_connected = False


def connect_all() -> None:
    """Join every domain's listeners to the hooks, once per process."""
    global _connected
    if not _connected:
        for domain in DOMAINS:
            if domain.connect is not None:
                domain.connect()
        _connected = True


def engine_cycles() -> list[tuple[str, EngineCycle]]:
    """The worker's cycles, domain by domain."""
    return [cycle for domain in DOMAINS for cycle in domain.cycles]


def urgent_cycles() -> set[str]:
    """Cycles a worker also runs in a loop of their own (paging waits for nobody)."""
    return {name for domain in DOMAINS for name in domain.urgent}
