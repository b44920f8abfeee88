"""Points where other domains join alert intake.

``drill_labels`` lets the drills domain (above intake) say that an alert
belongs to a running drill, so the incident it opens is declared as a drill
(``is_drill``) and pages only the drill's participants: the synthetic alerts
of a tabletop drill carry a ``warroom_drill`` label, and a live drill claims
the alerts its fault makes the real Prometheus fire.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.hooks import Hook

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


RESERVED_LABELS = frozenset({"warroom_drill", "drill_participants", "drill_page_real"})
"""Labels only warroom itself may put on an alert: they make the incident a
drill's and choose who is paged. Intake drops them from every delivery that
did not come from inside warroom (a drill's inject), so a sender holding an
integration key cannot turn a real incident into one that pages nobody."""


def _drill_labels(session: Session, labels: dict[str, str]) -> dict[str, str] | None:
    """Labels to add to the incident when the alert is a drill's, else None."""


drill_labels = Hook("intake.drill_labels", _drill_labels, "An alert that opens an incident is a "
                    "drill's: answer the labels (drill id, participants) to give the incident.")
