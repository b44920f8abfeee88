"""Scheduled maintenance: a window, the components it touches and a message,
moving by itself on the clock: ``scheduled`` at creation, ``in_progress`` at
``scheduled_for`` (components under maintenance), ``verifying`` at
``scheduled_until`` (components back to what they were), ``completed``
``verify_minutes`` later. People may move a window by hand at any time.

Maintenance mode (the seed's ``/api/v1/admin/maintenance``) is a window that
starts now and ends when it is switched off.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy import delete as sql_delete

from warroom import wakeup
from warroom.audit import service as audit
from warroom.errors import Conflict, Invalid
from warroom.statuspage import content, page, records
from warroom.statuspage import settings as statuspage_settings
from warroom.statuspage.components import service as components
from warroom.statuspage.models import (
    AffectedComponent,
    Component,
    IncidentUpdate,
    PublicIncident,
    new_code,
)
from warroom.statuspage.notices import incidents
from warroom.statuspage.notices.incidents import Posting
from warroom.statuspage.records import MAINTENANCE
from warroom.statuspage.vocabulary import ComponentStatus, Impact, MaintenanceStatus
from warroom.statuspage.vocabulary import maintenance_status as parse_status

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork

S = MaintenanceStatus
# Where a window may go from each status (by hand or on the clock).
MOVES: dict[MaintenanceStatus, tuple[MaintenanceStatus, ...]] = {
    S.scheduled: (S.in_progress, S.verifying, S.completed),
    S.in_progress: (S.verifying, S.completed),
    S.verifying: (S.in_progress, S.completed),
    S.completed: (),
}
MAX_WINDOW = timedelta(days=31)


def schedule(uow: UnitOfWork, *, name: str, scheduled_for: datetime,
             scheduled_until: datetime, component_names: list[str], body: str | None = None,
             auto_transition: bool = True, verify_minutes: int | None = None,
             deliver_notifications: bool = True, source: str = "api") -> PublicIncident:
    """Announce a window; the worker starts and ends it on time."""
    _check_window(uow.now(), scheduled_for, scheduled_until)
    affected = components.resolve_names(uow.session, component_names)
    window = _new(uow, name=name, scheduled_for=scheduled_for, scheduled_until=scheduled_until,
                  auto_transition=auto_transition, verify_minutes=verify_minutes, source=source)
    incidents.remember_affected(uow, window, affected)
    incidents.post(uow, incident=window, posting=Posting(
        status=S.scheduled, body=body or content.messages().maintenance.scheduled,
        deliver_notifications=deliver_notifications))
    wakeup.notify(uow)  # the worker recomputes when it next has something to do
    return window


def open_now(uow: UnitOfWork, *, name: str, body: str, affected: list[Component],
             source: str) -> PublicIncident:
    """A window that starts now and lasts until someone ends it (maintenance mode)."""
    window = _new(uow, name=name, scheduled_for=uow.now(), scheduled_until=None,
                  auto_transition=False, verify_minutes=0, source=source)
    incidents.remember_affected(uow, window, affected)
    move(uow, window=window, status=S.in_progress, body=body)
    return window


def move(uow: UnitOfWork, *, window: PublicIncident, status: str, body: str | None = None,
         deliver_notifications: bool = True) -> IncidentUpdate:
    """Move a window to ``status``: starting puts its components under
    maintenance, leaving ``in_progress`` puts them back."""
    target = parse_status(status)
    current = S(window.status)
    if target not in MOVES[current]:
        allowed = ", ".join(MOVES[current]) or "nowhere: it is completed"
        raise Conflict(f"Maintenance {window.code} is {current.value}; it can move to "
                       f"{allowed}, not {target.value}.")
    statuses: list[tuple[Component, ComponentStatus]] = []
    if target == S.in_progress:
        statuses = _start(uow, window)
    elif current == S.in_progress:
        statuses = _restore(uow, window)
    if target == S.verifying:
        minutes = _verify_minutes(window)
        window.verify_until = uow.now() + timedelta(minutes=minutes)
    words = content.messages().maintenance
    return incidents.post(uow, incident=window, posting=Posting(
        status=target.value, body=body or getattr(words, target.value), statuses=statuses,
        deliver_notifications=deliver_notifications))


def edit(uow: UnitOfWork, *, window: PublicIncident, changes: dict[str, Any]) -> PublicIncident:
    """Rename, re-time (before it starts; the end also while it runs), change
    its components (before it starts) or its automation."""
    status = S(window.status)
    before = incidents.snapshot(window)
    start = changes.get("scheduled_for") or window.scheduled_for
    end = changes.get("scheduled_until") or window.scheduled_until
    if changes.get("scheduled_for") and status != S.scheduled:
        raise Conflict(f"Maintenance {window.code} has started; its start cannot move.")
    if changes.get("scheduled_until") and status not in (S.scheduled, S.in_progress):
        raise Conflict(f"Maintenance {window.code} is {status.value}; its end cannot move.")
    if changes.get("scheduled_for") or changes.get("scheduled_until"):
        _check_window(uow.now(), start, end, started=status != S.scheduled)
        window.scheduled_for, window.scheduled_until = start, end
    if changes.get("components") is not None:
        if status != S.scheduled:
            raise Conflict(f"Maintenance {window.code} has started; its components are fixed.")
        _replace_components(uow, window, components.resolve_names(uow.session,
                                                                   changes["components"]))
    if changes.get("name") is not None:
        window.name = incidents.clean_text(changes["name"], "name", 300)
    for field in ("auto_transition", "verify_minutes"):
        if changes.get(field) is not None:
            setattr(window, field, changes[field])
    if incidents.snapshot(window) != before or changes.get("components") is not None:
        window.updated_at = uow.now()
        audit.record(uow, action="statuspage.maintenance.update",
                     target=incidents.target(window), before=before,
                     after=incidents.snapshot(window))
        page.changed(uow)
        wakeup.notify(uow)
    return window


def advance_due(uow: UnitOfWork) -> datetime | None:
    """Move every window whose time has come (several steps if the clock
    jumped), then say when the next one is due. The worker's engine cycle."""
    now = uow.now()
    for window in uow.session.scalars(_due_query(now).with_for_update()):
        while (step := _due_step(window, now)) is not None:
            move(uow, window=window, status=step)
    return next_due(uow.session)


def next_due(session: Session) -> datetime | None:
    auto = and_(PublicIncident.kind == MAINTENANCE, PublicIncident.auto_transition.is_(True))
    times = [
        session.scalar(select(func.min(column)).where(auto, PublicIncident.status == status))
        for column, status in ((PublicIncident.scheduled_for, S.scheduled),
                               (PublicIncident.scheduled_until, S.in_progress),
                               (PublicIncident.verify_until, S.verifying))]
    found = [t for t in times if t is not None]
    return min(found) if found else None


def _new(uow: UnitOfWork, *, name: str, scheduled_for: datetime,
         scheduled_until: datetime | None, auto_transition: bool, verify_minutes: int | None,
         source: str) -> PublicIncident:
    now = uow.now()
    window = PublicIncident(
        code=new_code(), kind=MAINTENANCE, name=incidents.clean_text(name, "name", 300),
        status=S.scheduled.value, impact=Impact.maintenance.value, source=source,
        created_at=now, updated_at=now, started_at=scheduled_for, scheduled_for=scheduled_for,
        scheduled_until=scheduled_until, auto_transition=auto_transition,
        verify_minutes=verify_minutes)
    uow.session.add(window)
    uow.session.flush()
    audit.record(uow, action="statuspage.maintenance.create", target=incidents.target(window),
                 after=incidents.snapshot(window))
    return window


def _start(uow: UnitOfWork, window: PublicIncident) -> list[tuple[Component, ComponentStatus]]:
    """Components go under maintenance; what they were is kept to put back."""
    affected = records.components_of(uow.session, [window.id])[window.id]
    window.restore = {str(c.id): c.status for c in affected
                      if c.status != ComponentStatus.under_maintenance}
    window.started_at = uow.now()
    return [(c, ComponentStatus.under_maintenance) for c in affected]


def _restore(uow: UnitOfWork, window: PublicIncident) -> list[tuple[Component, ComponentStatus]]:
    """Components still under maintenance go back to what they were (someone
    may have moved one since; then it stays where they put it)."""
    saved = window.restore or {}
    back = []
    for component in records.components_of(uow.session, [window.id])[window.id]:
        if component.status == ComponentStatus.under_maintenance:
            back.append((component, ComponentStatus(saved.get(str(component.id),
                                                              ComponentStatus.operational))))
    return back


def _due_query(now: datetime) -> Any:
    due = or_(and_(PublicIncident.status == S.scheduled, PublicIncident.scheduled_for <= now),
              and_(PublicIncident.status == S.in_progress,
                   PublicIncident.scheduled_until <= now),
              and_(PublicIncident.status == S.verifying, PublicIncident.verify_until <= now))
    return (select(PublicIncident)
            .where(PublicIncident.kind == MAINTENANCE, PublicIncident.auto_transition.is_(True),
                   due)
            .order_by(PublicIncident.scheduled_for, PublicIncident.id))


def _due_step(window: PublicIncident, now: datetime) -> MaintenanceStatus | None:
    status = S(window.status)
    if status == S.scheduled and window.scheduled_for and window.scheduled_for <= now:
        return S.in_progress
    if status == S.in_progress and window.scheduled_until and window.scheduled_until <= now:
        return S.verifying if _verify_minutes(window) > 0 else S.completed
    if status == S.verifying and window.verify_until and window.verify_until <= now:
        return S.completed
    return None


def _verify_minutes(window: PublicIncident) -> int:
    if window.verify_minutes is not None:
        return window.verify_minutes
    return statuspage_settings.get().statuspage_verify_minutes


def _replace_components(uow: UnitOfWork, window: PublicIncident,
                        chosen: list[Component]) -> None:
    uow.session.execute(sql_delete(AffectedComponent)
                        .where(AffectedComponent.incident_id == window.id)
                        .execution_options(synchronize_session=False))
    incidents.remember_affected(uow, window, chosen)


def _check_window(now: datetime, start: datetime | None, end: datetime | None, *,
                  started: bool = False) -> None:
    if start is None or end is None:
        raise Invalid("A maintenance window needs scheduled_for and scheduled_until.")
    if end <= start:
        raise Invalid("scheduled_until must be later than scheduled_for.")
    if end <= now:
        raise Invalid("scheduled_until is in the past; a window must end in the future.")
    if end - start > MAX_WINDOW:
        raise Invalid(f"A maintenance window lasts at most {MAX_WINDOW.days} days.")
    if not started and start < now - timedelta(days=1):
        raise Invalid("scheduled_for is more than a day in the past.")
