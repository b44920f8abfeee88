"""warroom's records in the shapes Statuspage's manage API answers with:
the incident object (with ``incident_updates`` and ``components``), the
component object and the subscriber object. The public API v2 shapes are the
base; the manage API adds the fields only an operator sees."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from warroom.statuspage import records
from warroom.statuspage.publishing import public_json
from warroom.statuspage.publishing.pagedata import Entry
from warroom.statuspage.publishing.public_json import timestamp
from warroom.statuspage.records import MAINTENANCE
from warroom.statuspage.subscribers import service as subscribers
from warroom.statuspage.vocabulary import worst

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.statuspage.models import Component, PublicIncident, Subscriber

Json = dict[str, Any]


def entries(session: Session, rows: list[PublicIncident]) -> list[Entry]:
    ids = [row.id for row in rows]
    updates = records.updates_of(session, ids)
    touched = records.components_of(session, ids)
    return [Entry(row=row, updates=updates[row.id], components=touched[row.id]) for row in rows]


def incident(entry: Entry, page_code: str, page_url: str) -> Json:
    row = entry.row
    shaped = public_json.incident(entry, page_code, page_url)
    window = row.kind == MAINTENANCE
    auto = bool(window and row.auto_transition)
    shaped.update({
        "impact_override": row.impact_override, "metadata": {},
        "postmortem_body": None, "postmortem_body_last_updated_at": None,
        "postmortem_ignored": True, "postmortem_notified_subscribers": False,
        "postmortem_notified_twitter": False, "postmortem_published_at": None,
        "scheduled_for": timestamp(row.scheduled_for),
        "scheduled_until": timestamp(row.scheduled_until),
        "scheduled_auto_in_progress": auto, "scheduled_auto_completed": auto,
        "scheduled_remind_prior": False, "scheduled_reminded_at": None,
        "auto_transition_to_maintenance_state": window,
        "auto_transition_to_operational_state": window,
        "auto_transition_deliver_notifications_at_start": auto,
        "auto_transition_deliver_notifications_at_end": auto,
        "components": [component(page_code, c) for c in entry.components],
    })
    for update in shaped["incident_updates"]:
        update.update({"twitter_updated_at": None, "wants_twitter_update": False})
    return shaped


def component(page_code: str, row: Component) -> Json:
    return {**public_json.component_json(page_code, row), "automation_email": None}


def components(page_code: str, rows: list[Component]) -> list[Json]:
    """Components in page order, each group listed (as ``group: true``) where
    its first member is, as Statuspage lists them."""
    listed: list[Json] = []
    groups_done: set[str] = set()
    for row in rows:
        name = row.group_name
        if name and name not in groups_done:
            groups_done.add(name)
            listed.append(_group(page_code, name, [c for c in rows if c.group_name == name]))
        listed.append(component(page_code, row))
    return listed


def subscriber(row: Subscriber, *, sees_contacts: bool) -> Json:
    """An address only for callers who may see contact details."""
    email = row.destination if row.kind == subscribers.EMAIL else None
    endpoint = row.destination if row.kind == subscribers.WEBHOOK else None
    return {
        "id": row.code, "mode": row.kind, "skip_confirmation_notification": False,
        "email": email if sees_contacts else None,
        "endpoint": endpoint if sees_contacts else None,
        "phone_number": None, "phone_country": None, "display_phone_number": None,
        "obfuscated_channel_name": None, "workspace_name": None,
        "quarantined_at": None, "purge_at": None, "components": [],
        "page_access_user_id": None, "created_at": timestamp(row.created_at),
    }


def _group(page_code: str, name: str, members: list[Component]) -> Json:
    return {
        "id": public_json.group_id(name), "page_id": page_code, "group_id": None,
        "created_at": timestamp(min(m.created_at for m in members)),
        "updated_at": timestamp(max(m.updated_at for m in members)),
        "group": True, "name": name, "description": None,
        "position": members[0].position, "status": worst([m.status for m in members]).value,
        "showcase": False, "only_show_if_degraded": False, "automation_email": None,
        "start_date": None, "components": [m.code for m in members],
    }
