"""Tick the compliance playbook's steps that the register now does itself.

Seed 000 §6.2's ``mail -s "URGENT: Compliance Incident ..." dpo@...`` and
``update-breach-register.sh`` are checklist steps of the shipped
``compliance-violation`` playbook (``notify-dpo`` is a gate): the DPO notice,
its acknowledgement and the breach record tick them, so resolving waits for
the DPO's acknowledgement. An incident not running that playbook is left alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.errors import Conflict, Invalid, NotFound
from warroom.incidents import service as incidents
from warroom.playbooks import service as playbooks

if TYPE_CHECKING:
    from warroom.compliance.models import Breach
    from warroom.db import UnitOfWork

NOTIFY_DPO = "notify-dpo"
REGISTER = "update-breach-register"


def dpo_notified(uow: UnitOfWork, breach: Breach) -> None:
    _tick(uow, breach, NOTIFY_DPO, "1", f"{breach.ref}: DPO notice queued")


def dpo_acknowledged(uow: UnitOfWork, breach: Breach) -> None:
    _tick(uow, breach, NOTIFY_DPO, "2", f"{breach.ref}: acknowledged by the DPO")


def recorded(uow: UnitOfWork, breach: Breach) -> None:
    _tick(uow, breach, REGISTER, "1", f"{breach.ref} opened in the breach register")


def _tick(uow: UnitOfWork, breach: Breach, step_id: str, item: str, note: str) -> None:
    incident = incidents.get(uow.session, incident_id=breach.incident_id) \
        if breach.incident_id else None
    if incident is None:
        return
    try:
        step = playbooks.get_step_or_raise(uow.session, incident=incident, ref=step_id)
        if step.kind == "checklist":
            playbooks.tick_item(uow, incident=incident, step=step, item=item, note=note)
    except (NotFound, Conflict, Invalid):
        return  # not running the playbook, or ticked already
