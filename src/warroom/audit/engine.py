"""The audit worker cycle: anchor the chain head outside the database."""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.audit import anchors
from warroom.audit import settings as audit_settings

if TYPE_CHECKING:
    from datetime import datetime

    from warroom.db import UnitOfWork


def anchor_head(uow: UnitOfWork) -> datetime | None:
    return anchors.anchor_if_due(uow, audit_settings.get())


CYCLES = [("audit.anchor", anchor_head)]
