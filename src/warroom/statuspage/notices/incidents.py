"""Public incidents and their updates: what the public is told, written
separately from the internal incident it may point at.

Maintenance windows are the same kind of record (``kind="maintenance"``) and
post their updates through :func:`post`, so components, history, the
internal timeline, the audit log and subscribers follow the same path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete as sql_delete
from sqlalchemy import select

from warroom.audit import service as audit
from warroom.errors import Conflict, Invalid
from warroom.incidents import service as internal
from warroom.incidents import timeline
from warroom.statuspage import content, page, records
from warroom.statuspage.components import service as components
from warroom.statuspage.models import (
    AffectedComponent,
    Component,
    IncidentUpdate,
    PublicIncident,
    new_code,
)
from warroom.statuspage.records import INCIDENT
from warroom.statuspage.subscribers import notifications
from warroom.statuspage.vocabulary import (
    ACTIVE_MAINTENANCE,
    FINISHED,
    INCIDENT_LABELS,
    ComponentStatus,
    Impact,
    IncidentStatus,
    impact,
    impact_of,
    incident_status,
)

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork


@dataclass
class Posting:
    """One update as a person (or the clock) writes it."""

    status: str
    body: str
    statuses: list[tuple[Component, ComponentStatus]] = field(default_factory=list)
    deliver_notifications: bool = True


def posting(session: Session, *, status: str, body: str, wanted: dict[str, str],
            deliver_notifications: bool = True) -> Posting:
    """An update from a request's words: ``{"media": "degraded"}`` resolved to
    components (422 naming the unknown ones)."""
    return Posting(status=status, body=body, deliver_notifications=deliver_notifications,
                   statuses=components.resolve_statuses(session, wanted))


def create(uow: UnitOfWork, *, name: str, posting: Posting, impact_override: str | None = None,
           internal_ref: str | None = None, source: str = "api") -> PublicIncident:
    """Open a public incident with its first update."""
    status = incident_status(posting.status)
    if status == IncidentStatus.resolved:
        raise Invalid("A new public incident cannot start resolved; open it, then resolve it.")
    now = uow.now()
    override = impact(impact_override).value if impact_override else None
    incident = PublicIncident(
        code=new_code(), kind=INCIDENT, name=clean_text(name, "name", 300), status=status.value,
        impact=override or Impact.none.value, source=source, created_at=now, updated_at=now,
        started_at=now, auto_transition=False, impact_override=override,
        internal_incident_id=_internal_id(uow, internal_ref))
    uow.session.add(incident)
    uow.session.flush()
    audit.record(uow, action="statuspage.incident.create", target=target(incident),
                 after=snapshot(incident))
    post(uow, incident=incident, posting=posting)
    return incident


def post_update(uow: UnitOfWork, *, incident: PublicIncident, posting: Posting) -> IncidentUpdate:
    """A person's update to a public incident (status, text, components)."""
    if incident.status == IncidentStatus.resolved and posting.status == "resolved":
        raise Conflict(f"Public incident {incident.code} is already resolved.")
    incident_status(posting.status)
    return post(uow, incident=incident, posting=posting)


def edit(uow: UnitOfWork, *, incident: PublicIncident, changes: dict[str, Any]) -> PublicIncident:
    """Rename, override the impact, or link/unlink the internal incident."""
    before = snapshot(incident)
    if changes.get("name") is not None:
        incident.name = clean_text(changes["name"], "name", 300)
    if changes.get("impact") is not None:
        incident.impact_override = impact(changes["impact"]).value
        incident.impact = incident.impact_override
    linked = incident.internal_incident_id
    if "internal_incident" in changes:
        incident.internal_incident_id = _internal_id(uow, changes["internal_incident"] or None)
        if incident.internal_incident_id not in (None, linked):
            _tell_internal(uow, incident, "Linked to the public status page entry "
                                          f"{incident.code} ({incident.name})")
    if snapshot(incident) != before:
        incident.updated_at = uow.now()
        audit.record(uow, action=f"statuspage.{incident.kind}.update", target=target(incident),
                     before=before, after=snapshot(incident))
        page.changed(uow)
    return incident


def delete(uow: UnitOfWork, *, incident: PublicIncident) -> None:
    """Remove an entry posted by mistake (its component statuses stay as they are)."""
    before = snapshot(incident)
    for model in (IncidentUpdate, AffectedComponent):
        uow.session.execute(sql_delete(model).where(model.incident_id == incident.id)
                            .execution_options(synchronize_session=False))
    uow.session.delete(incident)
    audit.record(uow, action=f"statuspage.{incident.kind}.delete", target=target(incident),
                 before=before)
    page.changed(uow)


def hide(uow: UnitOfWork, *, incident: PublicIncident) -> None:
    """Delete as Statuspage's manage API means it: gone from the page, the
    feeds, the JSON and every list, but the record, its updates and its audit
    trail stay (a public statement is evidence). Component statuses stay as
    they are; a hidden window no longer moves on the clock and a hidden notice
    is no longer offered for resolution."""
    if incident.status in ACTIVE_MAINTENANCE:
        raise Conflict(f"Maintenance {incident.code} is {incident.status}; complete it "
                       "before deleting it.")
    before = snapshot(incident)
    incident.hidden_at = uow.now()
    incident.auto_transition = False
    incident.resolve_offer_due_at = None
    audit.record(uow, action=f"statuspage.{incident.kind}.hide", target=target(incident),
                 before=before, after={**snapshot(incident), "hidden": True})
    page.changed(uow)


def post(uow: UnitOfWork, *, incident: PublicIncident, posting: Posting) -> IncidentUpdate:
    """Record an update: move components, stamp the incident, tell the
    internal timeline, the audit log and the subscribers."""
    now = uow.now()
    body = clean_text(posting.body, "body", 20_000)
    cause = f"{incident.kind} {incident.code}"
    moved = _move(uow, posting.statuses, cause)
    if incident.kind == INCIDENT and posting.status == IncidentStatus.resolved:
        explicit = {component.id for component, _ in posting.statuses}
        moved += _clear_after_resolution(uow, incident, explicit, cause)
    moved_codes = {m["code"] for m in moved}
    remember_affected(uow, incident, [c for c, s in posting.statuses  # "chat: operational"
                                      if c.code in moved_codes        # as it was is not
                                      or s != ComponentStatus.operational])  # affected
    _stamp(incident, posting.status, now)
    if incident.kind == INCIDENT:
        raise_impact(incident, [s.value for _, s in posting.statuses])
    update = IncidentUpdate(code=new_code(), incident_id=incident.id, status=posting.status,
                            body=body, created_at=now, affected_components=moved or None,
                            deliver_notifications=posting.deliver_notifications)
    uow.session.add(update)
    uow.session.flush()
    audit.record(uow, action=f"statuspage.{incident.kind}.post", target=target(incident),
                 after={"status": update.status, "update": update.code,
                        "components": moved or None})
    _tell_internal(uow, incident, f"Status page: {incident.name!r} is now "
                                  f"{INCIDENT_LABELS[update.status].lower()}")
    if posting.deliver_notifications:
        notifications.announce(uow, incident=incident, update=update)
    page.changed(uow)
    return update


def remember_affected(uow: UnitOfWork, incident: PublicIncident,
                      touched: list[Component]) -> None:
    """Add components to those the incident affects (it keeps them all)."""
    known = set(uow.session.scalars(select(AffectedComponent.component_id)
                                    .where(AffectedComponent.incident_id == incident.id)))
    for component in touched:
        if component.id not in known:
            uow.session.add(AffectedComponent(incident_id=incident.id,
                                              component_id=component.id))
            known.add(component.id)


def raise_impact(incident: PublicIncident, statuses: list[str]) -> None:
    """An incident's impact is the worst its components have been, not where
    they end (unless someone set it by hand)."""
    if incident.impact_override or not statuses:
        return
    order = [Impact.none, Impact.maintenance, Impact.minor, Impact.major, Impact.critical]
    incident.impact = max(Impact(incident.impact), impact_of(statuses), key=order.index).value


def target(incident: PublicIncident) -> str:
    return f"statuspage:{incident.kind}:{incident.code}"


def snapshot(incident: PublicIncident) -> dict[str, Any]:
    return {"id": incident.code, "kind": incident.kind, "name": incident.name,
            "status": incident.status, "impact": incident.impact,
            "internal_incident_id": incident.internal_incident_id,
            "scheduled_for": incident.scheduled_for, "scheduled_until": incident.scheduled_until}


def default_body(status: str) -> str:
    words = content.messages().incident
    return str(words.model_dump().get(status, words.investigating))


def clean_text(value: str, what: str, limit: int) -> str:
    value = str(value or "").strip()
    if not value:
        raise Invalid(f"The {what} cannot be empty.")
    if len(value) > limit:
        raise Invalid(f"The {what} is at most {limit} characters.")
    return value


def _move(uow: UnitOfWork, statuses: list[tuple[Component, ComponentStatus]],
          cause: str) -> list[dict[str, str]]:
    moved = []
    for component, status in statuses:
        change = components.set_status(uow, component=component, status=status.value,
                                       cause=cause)
        if change is not None:
            moved.append({"code": component.code, "name": component.name,
                          "old_status": change[0], "new_status": change[1]})
    return moved


def _clear_after_resolution(uow: UnitOfWork, incident: PublicIncident, explicit: set[int],
                            cause: str) -> list[dict[str, str]]:
    """Resolving puts the incident's components back to operational, unless
    someone said otherwise, they are under maintenance, or another unresolved
    incident still affects them."""
    still_affected = held_by_others(uow.session, incident)
    back = [(c, ComponentStatus.operational)
            for c in records.components_of(uow.session, [incident.id])[incident.id]
            if c.id not in explicit and c.id not in still_affected
            and c.status not in (ComponentStatus.operational, ComponentStatus.under_maintenance)]
    return _move(uow, back, cause)


def held_by_others(session: Session, incident: PublicIncident) -> set[int]:
    """Components that another unresolved incident still holds down.

    A component an incident merely touched does not count: one that its
    latest update moved back to ``operational`` (the seed's "chat:
    operational" while maintenance ends) is no longer held by it. An incident
    that named a component without moving it (it already had that status) is
    taken at its word and still holds it."""
    touched = session.execute(
        select(AffectedComponent.incident_id, Component.id, Component.code)
        .join(PublicIncident, PublicIncident.id == AffectedComponent.incident_id)
        .join(Component, Component.id == AffectedComponent.component_id)
        .where(PublicIncident.kind == INCIDENT, PublicIncident.id != incident.id,
               PublicIncident.status != IncidentStatus.resolved,
               PublicIncident.hidden_at.is_(None))).all()
    latest = _latest_moves(session, list({row[0] for row in touched}))
    return {component_id for incident_id, component_id, code in touched
            if latest.get((incident_id, code)) != ComponentStatus.operational.value}


def _latest_moves(session: Session, incident_ids: list[int]) -> dict[tuple[int, str], str]:
    """``(incident id, component code) -> status`` its latest move set."""
    latest: dict[tuple[int, str], str] = {}
    for updates in records.updates_of(session, incident_ids).values():
        for update in reversed(updates):  # oldest first: later moves win
            for moved in update.affected_components or []:
                latest[(update.incident_id, moved["code"])] = moved["new_status"]
    return latest


def _stamp(incident: PublicIncident, status: str, now: datetime) -> None:
    incident.status = status
    incident.updated_at = now
    if status == IncidentStatus.monitoring and incident.monitoring_at is None:
        incident.monitoring_at = now
    if status in FINISHED:
        incident.resolved_at = now
        incident.resolve_offer_due_at = None
    else:
        incident.resolved_at = None


def _internal_id(uow: UnitOfWork, ref: str | None) -> int | None:
    if not ref:
        return None
    linked = internal.get_by_ref_or_raise(uow.session, ref=ref)
    if linked.is_drill:
        # A drill never reaches the public page: its updates go to the drill's
        # sandbox page (warroom drill status), kept by the drills domain.
        raise Conflict(f"{linked.ref} is a drill: post its status updates to the drill's "
                       "sandbox page (warroom drill status, POST /api/v1/drills/{id}/status), "
                       "never the public page.")
    return linked.id


def _tell_internal(uow: UnitOfWork, incident: PublicIncident, summary: str) -> None:
    """The internal incident's timeline hears what the public was told (the
    reverse never happens)."""
    if incident.internal_incident_id is not None:
        timeline.add(uow, incident_id=incident.internal_incident_id, kind="statuspage",
                     summary=summary, data={"public_id": incident.code,
                                            "status": incident.status})
