"""Join the status page to the rest of warroom: rebuild snapshots after a
change commits, show responders which public entries point at an internal
incident (the internal view only; nothing flows the other way), and offer
the open ones for resolution when that incident ends (``offers``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from warroom.incidents import hooks
from warroom.statuspage import page
from warroom.statuspage.models import PublicIncident
from warroom.statuspage.notices import offers
from warroom.statuspage.publishing import snapshot
from warroom.statuspage.records import INCIDENT
from warroom.statuspage.vocabulary import FINISHED

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.incidents.models import Incident


def connect() -> None:
    page.after_change.connect(snapshot.refresh_local)
    hooks.view_extras.connect(public_entries)
    hooks.transitioned.connect(offers.on_transition)
    hooks.ending_offers.connect(offers.offers)


def public_entries(session: Session, incident: Incident) -> dict[str, Any]:
    """``extra.statuspage`` on an internal incident: its public entries."""
    rows = session.scalars(select(PublicIncident)
                           .where(PublicIncident.internal_incident_id == incident.id,
                                  PublicIncident.hidden_at.is_(None))
                           .order_by(PublicIncident.id))
    ended = offers.has_ended(incident)
    found = [{"id": r.code, "kind": r.kind, "name": r.name, "status": r.status,
              **({"offer": "resolve"} if ended and _open(r) else {})} for r in rows]
    return {"statuspage": found} if found else {}


def _open(row: PublicIncident) -> bool:
    return row.kind == INCIDENT and row.status not in FINISHED
