"""What reviews add to the incident view: the review's state and deadline,
and open action items."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from warroom.reviews import items, service
from warroom.reviews.models import ActionItem

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.incidents.models import Incident


def summary(session: Session, incident: Incident) -> dict[str, Any]:
    review = service.get(session, incident_id=incident.id)
    open_items = session.scalar(select(func.count()).select_from(ActionItem).where(
        ActionItem.incident_id == incident.id, ActionItem.status.in_(items.OPEN))) or 0
    return {"review": {"state": review.state, "due_at": review.due_at} if review else None,
            "action_items_open": open_items}
