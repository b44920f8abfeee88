"""Points where other domains join the breach register.

The register does not know about drills. A drill compresses time
(``--time-scale``); the drills domain answers :data:`time_scale` for its
incident so that the regulatory clocks of a breach opened on a drill run as
fast as the drill's own clock, and the register never imports drills.

``drill_public_communication`` lets the drills domain (above compliance) take
the public communication of a drill's breach: it is posted to the drill's
sandbox status page, never the public one, so a drill rehearses the post
with the same button and the same draft.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.hooks import Hook

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.compliance.models import Breach
    from warroom.db import UnitOfWork


def _time_scale(session: Session, incident_id: int) -> float | None:
    """How many times faster than real time the incident's clocks run, or
    None when the listener has nothing to say about this incident."""
    return None


time_scale = Hook("compliance.time_scale", _time_scale,
                  "How much faster a drill incident's breach clocks run (its time scale).")


def _drill_public_communication(uow: UnitOfWork, breach: Breach, *, title: str,
                                text: str) -> str | None:
    """Post a drill breach's public communication; the drill's id, or None
    when no running drill has the breach's incident."""


drill_public_communication = Hook(
    "compliance.drill_public_communication", _drill_public_communication,
    "A drill's breach posts its public communication: post it to the drill's sandbox status "
    "page and answer the drill's id.")
