"""Points where other domains join the breach register.

The register does not know about drills. A drill compresses time
(``--time-scale``); the drills domain answers :data:`time_scale` for its
incident so that the regulatory clocks of a breach opened on a drill run as
fast as the drill's own clock, and the register never imports drills.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.hooks import Hook

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def _time_scale(session: Session, incident_id: int) -> float | None:
    """How many times faster than real time the incident's clocks run, or
    None when the listener has nothing to say about this incident."""
    return None


time_scale = Hook("compliance.time_scale", _time_scale,
                  "How much faster a drill incident's breach clocks run (its time scale).")
