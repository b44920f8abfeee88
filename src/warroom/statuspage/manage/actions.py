"""Statuspage's incident, component and subscriber calls turned into calls
of the status page's own services (the one path every change takes, so the
public page, feeds, subscribers, the internal timeline and the audit log
follow as they do for warroom's API)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from warroom.errors import Invalid
from warroom.statuspage.components import service as components
from warroom.statuspage.manage.params import flag, mapping, moment, strings, text
from warroom.statuspage.notices import incidents, maintenance
from warroom.statuspage.notices.incidents import Posting
from warroom.statuspage.records import MAINTENANCE
from warroom.statuspage.subscribers import service as subscribers
from warroom.statuspage.vocabulary import MaintenanceStatus

if TYPE_CHECKING:
    from datetime import datetime

    from warroom.db import UnitOfWork
    from warroom.statuspage.models import Component, PublicIncident, Subscriber

SOURCE = "statuspage_api"
WINDOW_STATUSES = tuple(s.value for s in MaintenanceStatus)
STEPS = (MaintenanceStatus.in_progress, MaintenanceStatus.verifying, MaintenanceStatus.completed)
COMPONENT_FIELDS = ("name", "description", "status")
COMPONENT_FLAGS = ("showcase", "only_show_if_degraded")
INCIDENT_FIELDS = "incident"


def create_incident(uow: UnitOfWork, fields: dict[str, Any]) -> PublicIncident:
    """A realtime incident, or scheduled maintenance when it has a window
    (``scheduled_for``) or a maintenance status."""
    _check_switches(fields)
    name = text(fields, "name", INCIDENT_FIELDS)
    if not name or not name.strip():
        raise Invalid("incident[name] is required: the incident's public title.")
    status = (text(fields, "status", INCIDENT_FIELDS) or "").strip()
    if moment(fields, "scheduled_for", INCIDENT_FIELDS) is not None or status in WINDOW_STATUSES:
        return _schedule(uow, name, status or MaintenanceStatus.scheduled.value, fields)
    status = status or "investigating"
    row = incidents.create(uow, name=name, posting=_posting(uow, status, fields),
                           impact_override=text(fields, "impact_override", INCIDENT_FIELDS) or None,
                           source=SOURCE)
    _attach(uow, row, fields)
    return row


def update_incident(uow: UnitOfWork, row: PublicIncident, fields: dict[str, Any]) -> None:
    _check_switches(fields)
    """PATCH/PUT: rename or re-impact (an edit), and a status, body or
    component change (a new update, as Statuspage posts one)."""
    if row.kind == MAINTENANCE:
        _update_window(uow, row, fields)
        return
    changes: dict[str, Any] = {}
    if text(fields, "name", INCIDENT_FIELDS) is not None:
        changes["name"] = text(fields, "name", INCIDENT_FIELDS)
    if text(fields, "impact_override", INCIDENT_FIELDS):
        changes["impact"] = text(fields, "impact_override", INCIDENT_FIELDS)
    if changes:
        incidents.edit(uow, incident=row, changes=changes)
    status = text(fields, "status", INCIDENT_FIELDS)
    posts = text(fields, "body", INCIDENT_FIELDS) or mapping(fields, "components",
                                                             INCIDENT_FIELDS)
    if status or posts:
        incidents.post_update(uow, incident=row, posting=_posting(uow, status or row.status,
                                                                  fields))
    _attach(uow, row, fields)


def update_component(uow: UnitOfWork, row: Component, fields: dict[str, Any]) -> None:
    changes: dict[str, Any] = {name: text(fields, name, "component")
                               for name in COMPONENT_FIELDS if name in fields}
    changes.update({name: flag(fields, name, "component", False)
                    for name in COMPONENT_FLAGS if name in fields})
    if not changes:
        raise Invalid("Send component[status] (operational, degraded_performance, "
                      "partial_outage, major_outage or under_maintenance), component[name] "
                      "or component[description].")
    components.update(uow, component=row, changes=changes)


def subscribe(uow: UnitOfWork, fields: dict[str, Any]) -> Subscriber:
    """Email only, always with warroom's double opt-in: the address is sent
    a confirmation link and hears nothing else until it is used."""
    if fields.get("endpoint") or fields.get("phone_number") or fields.get("phone_country"):
        raise Invalid("Only email subscribers can be added through this API; add a webhook "
                      "subscriber with warroom's own API (POST /api/v1/statuspage/subscribers"
                      ' with {"kind": "webhook", "url": ...}).')
    email = text(fields, "email", "subscriber")
    if not email:
        raise Invalid("subscriber[email] is required.")
    return subscribers.subscribe_email(uow, email=email)


def _posting(uow: UnitOfWork, status: str, fields: dict[str, Any]) -> Posting:
    body = text(fields, "body", INCIDENT_FIELDS) or text(fields, "message", INCIDENT_FIELDS)
    return incidents.posting(uow.session, status=status,
                             body=body or incidents.default_body(status),
                             wanted=mapping(fields, "components", INCIDENT_FIELDS),
                             deliver_notifications=flag(fields, "deliver_notifications",
                                                        INCIDENT_FIELDS, True))


def _attach(uow: UnitOfWork, row: PublicIncident, fields: dict[str, Any]) -> None:
    """``component_ids``: affected, without a status change of their own."""
    ids = strings(fields, "component_ids", INCIDENT_FIELDS)
    if ids:
        incidents.remember_affected(uow, row, components.resolve_names(uow.session, ids))


def _schedule(uow: UnitOfWork, name: str, status: str, fields: dict[str, Any]
              ) -> PublicIncident:
    start = moment(fields, "scheduled_for", INCIDENT_FIELDS)
    end = moment(fields, "scheduled_until", INCIDENT_FIELDS)
    if start is None or end is None:
        raise Invalid("Scheduled maintenance needs incident[scheduled_for] and "
                      "incident[scheduled_until] (ISO 8601 times).")
    if status not in WINDOW_STATUSES:
        raise Invalid(f"A maintenance window's status is one of {', '.join(WINDOW_STATUSES)}, "
                      f"not {status[:50]!r}.")
    notify = flag(fields, "deliver_notifications", INCIDENT_FIELDS, True)
    window = maintenance.schedule(
        uow, name=name, scheduled_for=start, scheduled_until=end,
        component_names=[*strings(fields, "component_ids", INCIDENT_FIELDS),
                         *mapping(fields, "components", INCIDENT_FIELDS)],
        body=text(fields, "body", INCIDENT_FIELDS) or None, auto_transition=_automatic(fields),
        deliver_notifications=notify, source=SOURCE)
    if status != MaintenanceStatus.scheduled:
        for step in STEPS[:STEPS.index(MaintenanceStatus(status)) + 1]:
            maintenance.move(uow, window=window, status=step.value,
                             deliver_notifications=notify)
    return window


INCIDENT_SWITCHES = ("deliver_notifications", "scheduled_auto_in_progress",
                     "scheduled_auto_completed", "scheduled_auto_transition")


def _check_switches(fields: dict[str, Any]) -> None:
    """Every switch the call sends is read, even one this kind of notice does
    not use, so a wrong value is refused before anything is saved."""
    for name in INCIDENT_SWITCHES:
        flag(fields, name, INCIDENT_FIELDS, False)


def _automatic(fields: dict[str, Any]) -> bool:
    """The window moves by itself unless the call turns either step off."""
    return all(flag(fields, name, INCIDENT_FIELDS, True) for name in (
        "scheduled_auto_in_progress", "scheduled_auto_completed", "scheduled_auto_transition"))


def _update_window(uow: UnitOfWork, row: PublicIncident, fields: dict[str, Any]) -> None:
    changes: dict[str, Any] = {}
    if text(fields, "name", INCIDENT_FIELDS) is not None:
        changes["name"] = text(fields, "name", INCIDENT_FIELDS)
    for name in ("scheduled_for", "scheduled_until"):
        when: datetime | None = moment(fields, name, INCIDENT_FIELDS)
        if when is not None:
            changes[name] = when
    if changes:
        maintenance.edit(uow, window=row, changes=changes)
    status = text(fields, "status", INCIDENT_FIELDS)
    body = text(fields, "body", INCIDENT_FIELDS) or None
    notify = flag(fields, "deliver_notifications", INCIDENT_FIELDS, True)
    if status and status != row.status:
        maintenance.move(uow, window=row, status=status, body=body,
                         deliver_notifications=notify)
    elif body:
        incidents.post(uow, incident=row, posting=Posting(status=row.status, body=body,
                                                          deliver_notifications=notify))
