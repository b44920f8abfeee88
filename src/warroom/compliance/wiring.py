"""Join the register to the incident lifecycle.

An incident opened by one of the seed's compliance alerts
(WARROOM_COMPLIANCE_ALERTS) proposes a suspected breach record linked to it;
an incident flagged as a personal data breach (at declaration or later) gets
one too, and the DPO is told at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from warroom.compliance import notices, service
from warroom.compliance import settings as compliance_settings
from warroom.incidents import hooks

if TYPE_CHECKING:
    from warroom.db import UnitOfWork
    from warroom.incidents.models import Incident


def connect() -> None:
    hooks.declared.connect(on_declared)
    hooks.updated.connect(on_updated)


def on_declared(uow: UnitOfWork, incident: Incident, *, context: dict[str, Any]) -> None:
    alert = context.get("alertname")
    if incident.personal_data_breach:
        _flagged(uow, incident)
    elif alert and alert in compliance_settings.get().compliance_alerts:
        service.propose_for_incident(uow, incident, why=f"alert:{alert}"[:40])


def on_updated(uow: UnitOfWork, incident: Incident, *, changes: dict[str, Any]) -> None:
    if changes.get("personal_data_breach") is True:
        _flagged(uow, incident)


def _flagged(uow: UnitOfWork, incident: Incident) -> None:
    breach = service.propose_for_incident(uow, incident, why="flag")
    notices.send_dpo_notice(uow, breach, reason=f"{incident.ref} was flagged as a personal "
                                               "data breach")
