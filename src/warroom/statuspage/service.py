"""The page-level calls of the seed playbooks: "update the status page" and
"enable maintenance mode", in the responder's words, on top of components,
public incidents and maintenance.

``report_status`` (``POST /api/v1/admin/status``): components take the given
statuses and the message becomes an update of the page's current status
notice, a public incident opened by the first such call and resolved by one
whose status is ``operational`` (or ``resolved``).

``set_maintenance_mode`` (``POST /api/v1/admin/maintenance``): a maintenance
that starts now, puts components under maintenance and shows a banner, and
ends when switched off, putting every component back where it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select

from warroom.audit import service as audit
from warroom.errors import Conflict, Invalid
from warroom.statuspage import content, page, records
from warroom.statuspage.components import service as components
from warroom.statuspage.models import Component, PublicIncident
from warroom.statuspage.notices import incidents, maintenance
from warroom.statuspage.notices.incidents import Posting
from warroom.statuspage.records import INCIDENT
from warroom.statuspage.vocabulary import (
    COMPONENT_LABELS,
    FINISHED,
    ComponentStatus,
    IncidentStatus,
    MaintenanceStatus,
    component_status,
    incident_status,
    valid_component_words,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork

SOURCE_REPORT = "admin_status"
SOURCE_MODE = "maintenance_mode"


@dataclass
class StatusReport:
    """The seed's call: ``{"status": "degraded", "message": "...",
    "components": {"media": "degraded"}}``."""

    status: str
    message: str | None = None
    components: dict[str, str] = field(default_factory=dict)
    title: str | None = None
    incident: str | None = None
    internal_incident: str | None = None
    notify: bool = True


def report_status(uow: UnitOfWork, *, report: StatusReport) -> PublicIncident | None:
    """Apply a status report; returns the public incident it opened or
    updated (None when all was well and there was nothing to resolve)."""
    components.ensure_defaults(uow)
    statuses = components.resolve_statuses(uow.session, report.components)
    overall = _overall(report.status)
    notice = _current_notice(uow.session, report.incident)
    if overall in (ComponentStatus.operational, IncidentStatus.resolved):
        if notice is None:
            for component, status in statuses:
                components.set_status(uow, component=component, status=status.value,
                                      cause="status report")
            return None
        _rename_or_link(uow, notice, report)
        incidents.post_update(uow, incident=notice, posting=Posting(
            status=IncidentStatus.resolved, statuses=statuses,
            body=report.message or incidents.default_body(IncidentStatus.resolved),
            deliver_notifications=report.notify))
        return notice
    posting = Posting(status=_update_status(overall, notice), statuses=statuses,
                      body=report.message or incidents.default_body("investigating"),
                      deliver_notifications=report.notify)
    if notice is None:
        notice = incidents.create(uow, name=report.title or _name_for(overall, statuses),
                                  posting=posting, source=SOURCE_REPORT,
                                  internal_ref=report.internal_incident)
    else:
        _rename_or_link(uow, notice, report)
        incidents.post_update(uow, incident=notice, posting=posting)
    if isinstance(overall, ComponentStatus):
        incidents.raise_impact(notice, [overall.value])
    return notice


def _rename_or_link(uow: UnitOfWork, notice: PublicIncident, report: StatusReport) -> None:
    changes: dict[str, str] = {}
    if report.title:
        changes["name"] = report.title
    if report.internal_incident:
        changes["internal_incident"] = report.internal_incident
    if changes:
        incidents.edit(uow, incident=notice, changes=changes)


def set_maintenance_mode(uow: UnitOfWork, *, enabled: bool, message: str | None = None,
                         component_names: list[str] | None = None) -> PublicIncident | None:
    """Switch maintenance mode; returns its maintenance while it is on."""
    state = page.get_for_update(uow)
    components.ensure_defaults(uow)
    current = maintenance_mode(uow.session)
    words = content.messages().maintenance_mode
    if not enabled:
        if current is not None:
            maintenance.move(uow, window=current, status=MaintenanceStatus.completed,
                             body=message or words.ended)
            audit.record(uow, action="statuspage.maintenance_mode.off",
                         target="statuspage:maintenance_mode", before={"id": current.code})
        state.maintenance_mode_id = None
        page.changed(uow)
        return None
    if current is not None:
        if message and current.name != message:
            incidents.post(uow, incident=current, posting=Posting(
                status=MaintenanceStatus.in_progress, body=message))
        return current
    affected = (components.resolve_names(uow.session, component_names) if component_names
                else components.get_all(uow.session))
    window = maintenance.open_now(uow, name=(message or words.name)[:300],
                                  body=message or words.started, affected=affected,
                                  source=SOURCE_MODE)
    state.maintenance_mode_id = window.id
    audit.record(uow, action="statuspage.maintenance_mode.on",
                 target="statuspage:maintenance_mode",
                 after={"id": window.code, "message": message,
                        "components": [c.name for c in affected]})
    return window


def maintenance_mode(session: Session) -> PublicIncident | None:
    """The maintenance opened by maintenance mode, if it is on."""
    state = page.get(session)
    if state.maintenance_mode_id is None:
        return None
    window = session.get(PublicIncident, state.maintenance_mode_id)
    if window is None or window.status == MaintenanceStatus.completed:
        return None  # someone completed it by hand: the mode is over
    return window


def current_notice(session: Session) -> PublicIncident | None:
    """The notice a responder means by "the status page's incident": the open
    status notice of the seed's call, else the newest unresolved incident."""
    newest = records.get_all(session, kind=INCIDENT, finished=False, limit=1)
    return _current_notice(session, None) or next(iter(newest), None)


def _overall(word: str) -> ComponentStatus | IncidentStatus:
    """The report's ``status``: a component word (``degraded``, ``outage``...)
    or an incident status (``identified``, ``monitoring``...)."""
    try:
        return component_status(word)
    except Invalid:
        pass
    try:
        return incident_status(word)
    except Invalid:
        valid = valid_component_words() + [s.value for s in IncidentStatus]
        raise Invalid(f"{word!r} is not a status the page knows; use one of: "
                      f"{', '.join(valid)}.", errors=[{"field": "status", "message":
                                                       "unknown status"}]) from None


def _current_notice(session: Session, code: str | None) -> PublicIncident | None:
    if code:
        notice = records.get_by_code_or_raise(session, code=code, kind=INCIDENT)
        if notice.status in FINISHED:
            raise Conflict(f"Public incident {code} is resolved; leave out 'incident' to open "
                           "a new one.")
        return notice
    return session.scalar(select(PublicIncident)
                          .where(PublicIncident.kind == INCIDENT,
                                 PublicIncident.source == SOURCE_REPORT,
                                 PublicIncident.hidden_at.is_(None),
                                 PublicIncident.status != IncidentStatus.resolved)
                          .order_by(PublicIncident.id.desc()).limit(1))


def _update_status(overall: ComponentStatus | IncidentStatus,
                   notice: PublicIncident | None) -> str:
    if isinstance(overall, IncidentStatus):
        return overall.value
    return notice.status if notice is not None else IncidentStatus.investigating.value


def _name_for(overall: ComponentStatus | IncidentStatus,
              statuses: list[tuple[Component, ComponentStatus]]) -> str:
    troubled = [c.name for c, s in statuses if s != ComponentStatus.operational]
    what = (COMPONENT_LABELS[overall] if isinstance(overall, ComponentStatus)
            else "Service disruption")
    if not troubled:
        return what
    names = troubled[0] if len(troubled) == 1 else (", ".join(troubled[:-1]) + " and "
                                                      + troubled[-1])
    return f"{what} of {names}"
