"""Each incident's response figures, computed from its milestones, timeline
and pages, and kept in ``review_figures`` so aggregates run in SQL.

Figures are recomputed (never typed in) just before a unit of work that
changed an incident commits: declaration, phase changes, acknowledgement,
severity changes, edits and milestone corrections all mark the incident, and
one recompute per incident runs when the audit chain is sealed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, insert

from warroom.audit import service as audit
from warroom.incidents import catalog, timeline
from warroom.incidents import service as incidents
from warroom.oncall.escalation import service as escalation
from warroom.reviews import definitions
from warroom.reviews.models import Facet, Figure

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork
    from warroom.incidents.models import Incident, TimelineEvent
    from warroom.incidents.phases import Phase

_DIRTY = "reviews.figures.dirty"
TEAM_LABEL = "team"
"""The incident label that names the owning team (metrics group by it)."""


@dataclass(frozen=True)
class Computed:
    """One figure with the events it was computed from (so it says which)."""

    metric: str
    title: str
    value: float | None
    unit: str
    start: str
    end: str
    from_at: datetime | None
    to_at: datetime | None
    met: bool | None = None
    target: str | None = None


def compute(session: Session, incident: Incident) -> list[Computed]:
    """Every figure of ``incident`` as of now (missing ones have value None)."""
    events = timeline.get_all(session, incident_id=incident.id, limit=100_000)
    figures = [_duration(d, incident, events) for d in definitions.metrics()]
    figures.extend(_built_in(session, incident))
    return figures


def refresh(uow: UnitOfWork, incident: Incident) -> None:
    """Rewrite the incident's rows (figures and facets) from its record."""
    session = uow.session
    computed = compute(session, incident)
    session.execute(delete(Figure).where(Figure.incident_id == incident.id))
    session.execute(delete(Facet).where(Facet.incident_id == incident.id))
    common = {"incident_id": incident.id, "severity": incident.severity, "type": incident.type,
              "month": incident.started_at.strftime("%Y-%m"), "started_at": incident.started_at,
              "is_drill": incident.is_drill}
    session.execute(insert(Figure), [
        {**common, "metric": f.metric, "value": f.value, "met": f.met, "from_at": f.from_at,
         "to_at": f.to_at} for f in computed])
    copied = {"incident_id": incident.id, "is_drill": incident.is_drill,
              "started_at": incident.started_at,
              "resolve_seconds": next((f.value for f in computed
                                       if f.metric == "time_to_resolve"), None)}
    facets = [{**copied, "facet": "service", "value": str(s)[:200]}
              for s in incident.services or []]
    team = (incident.labels or {}).get(TEAM_LABEL)
    if team:
        facets.append({**copied, "facet": "team", "value": str(team)[:200]})
    if facets:
        session.execute(insert(Facet), facets)


def mark(uow: UnitOfWork, incident: Incident) -> None:
    """Recompute ``incident``'s figures once, when this unit of work seals."""
    dirty: dict[int, Incident] = uow.memo(_DIRTY, {})
    dirty[incident.id] = incident
    audit.before_seal(uow, _DIRTY, _flush_dirty)


def _flush_dirty(uow: UnitOfWork) -> None:
    dirty: dict[int, Incident] = uow.memo(_DIRTY, {})
    for incident in list(dirty.values()):
        refresh(uow, incident)
    dirty.clear()


def _duration(definition: definitions.Definition, incident: Incident,
              events: list[TimelineEvent]) -> Computed:
    start = _moment(definition.start, incident, events)
    end = _moment(definition.end, incident, events)
    value = (end - start).total_seconds() if start is not None and end is not None else None
    return Computed(definition.name, definition.title, value, "seconds",
                    definitions.label(definition.start), definitions.label(definition.end),
                    start, end)


def _moment(endpoint: definitions.Endpoint, incident: Incident,
            events: list[TimelineEvent]) -> datetime | None:
    if isinstance(endpoint, str):
        moment: datetime | None = getattr(incident, f"{endpoint}_at")
        return moment
    matching = [e for e in events if e.kind == endpoint.timeline and _matches(e.data,
                                                                             endpoint.where)]
    if not matching:
        return None
    return (matching[0] if endpoint.which == "first" else matching[-1]).at


def _matches(data: dict[str, Any] | None, where: dict[str, Any]) -> bool:
    return all((data or {}).get(key) == value for key, value in where.items())


def _built_in(session: Session, incident: Incident) -> list[Computed]:
    target = catalog.severity(incident.severity).response_target
    due = incidents.response_due(incident)
    ack = incident.acknowledged_at
    waited = (ack - incident.declared_at).total_seconds() if ack else None
    met = (ack <= due) if ack else None
    pages = escalation.pages(session, incident_id=incident.id)
    before_ack = [p for p in pages if ack is None or p.at <= ack]
    tiers = len({p.step_index for p in pages})
    return [
        Computed("response_target", f"Response target ({target.text})", waited, "seconds",
                 "declared", "acknowledged", incident.declared_at, ack, met, target.text),
        Computed("pages_before_ack", "Pages sent before the first acknowledgement",
                 float(len(before_ack)), "count", "first page", "acknowledged",
                 min((p.at for p in pages), default=None), ack),
        Computed("escalation_tiers", "Escalation tiers reached", float(tiers), "count",
                 "first page", "last page", min((p.at for p in pages), default=None),
                 max((p.at for p in pages), default=None)),
    ]


# Listeners: every incident change that can move a figure marks the incident.

def on_declared(uow: UnitOfWork, incident: Incident, *, context: dict[str, Any]) -> None:
    mark(uow, incident)


def on_transitioned(uow: UnitOfWork, incident: Incident, *, previous: Phase,
                    current: Phase) -> None:
    mark(uow, incident)


def on_acknowledged(uow: UnitOfWork, incident: Incident, *, by: str) -> None:
    mark(uow, incident)


def on_severity_changed(uow: UnitOfWork, incident: Incident, *, previous: str,
                        current: str) -> None:
    mark(uow, incident)


def on_updated(uow: UnitOfWork, incident: Incident, *, changes: dict[str, Any]) -> None:
    mark(uow, incident)


def on_milestone_changed(uow: UnitOfWork, incident: Incident, *, name: str,
                         previous: datetime | None, current: datetime | None) -> None:
    mark(uow, incident)


def rebuild(uow: UnitOfWork, *, batch: int = 500) -> int:
    """Recompute every incident's figures (after adding a definition)."""
    done, last = 0, 0
    while True:
        ids = list(uow.session.scalars(incidents.ids_after(last, limit=batch)))
        if not ids:
            return done
        for incident in incidents.many(uow.session, ids=ids).values():
            refresh(uow, incident)
        uow.session.flush()
        done, last = done + len(ids), ids[-1]
