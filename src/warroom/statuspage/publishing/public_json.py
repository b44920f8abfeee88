"""The public JSON, shaped like Statuspage's public API v2 (same paths, same
field names), so widgets and monitors written for Statuspage read it as is.

Components in a group are listed with ``group_id``; each group is listed as
a component with ``group: true`` and the ids of its ``components``, whose
status is the worst of theirs.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from warroom.statuspage.vocabulary import worst

if TYPE_CHECKING:
    from warroom.statuspage.models import Component, IncidentUpdate
    from warroom.statuspage.publishing.pagedata import Entry, PageData

Json = dict[str, Any]


def summary(data: PageData) -> Json:
    return {"page": page(data), "components": components(data),
            "incidents": [incident(e, data.page_code, data.url) for e in data.unresolved],
            "scheduled_maintenances": [incident(e, data.page_code, data.url)
                                       for e in data.active + data.upcoming],
            "status": status(data)}


def status_document(data: PageData) -> Json:
    return {"page": page(data), "status": status(data)}


def components_document(data: PageData) -> Json:
    return {"page": page(data), "components": components(data)}


def incidents_document(data: PageData, entries: list[Entry]) -> Json:
    return {"page": page(data),
            "incidents": [incident(e, data.page_code, data.url) for e in entries]}


def maintenances_document(data: PageData, entries: list[Entry]) -> Json:
    return {"page": page(data), "scheduled_maintenances": [
        incident(e, data.page_code, data.url) for e in entries]}


def page(data: PageData) -> Json:
    return {"id": data.page_code, "name": data.name, "url": data.url, "time_zone": "Etc/UTC",
            "updated_at": timestamp(data.updated_at)}


def status(data: PageData) -> Json:
    return {"indicator": data.indicator, "description": data.description}


def components(data: PageData) -> list[Json]:
    """Components in page order, each group listed where its first member is."""
    listed: list[Json] = []
    groups_done: set[str] = set()
    for component in data.components:
        group = component.group_name
        if group and group not in groups_done:
            groups_done.add(group)
            members = [c for c in data.components if c.group_name == group]
            listed.append(_group(data, group, members))
        listed.append(component_json(data.page_code, component))
    return listed


def component_json(page_code: str, component: Component) -> Json:
    return {
        "id": component.code, "name": component.name, "status": component.status,
        "created_at": timestamp(component.created_at),
        "updated_at": timestamp(component.updated_at), "position": component.position,
        "description": component.description or None, "showcase": component.showcase,
        "start_date": component.created_at.date().isoformat(),
        "group_id": group_id(component.group_name) if component.group_name else None,
        "page_id": page_code, "group": False,
        "only_show_if_degraded": component.only_show_if_degraded,
    }


def incident(entry: Entry, page_code: str, page_url: str) -> Json:
    row = entry.row
    shaped = {
        "id": row.code, "name": row.name, "status": row.status,
        "created_at": timestamp(row.created_at), "updated_at": timestamp(row.updated_at),
        "monitoring_at": timestamp(row.monitoring_at), "resolved_at": timestamp(row.resolved_at),
        "impact": row.impact, "shortlink": f"{page_url}/incidents/{row.code}",
        "started_at": timestamp(row.started_at), "page_id": page_code,
        "incident_updates": [update(row.code, u) for u in entry.updates],
        "components": [component_json(page_code, c) for c in entry.components],
    }
    if row.kind == "maintenance":
        shaped["scheduled_for"] = timestamp(row.scheduled_for)
        shaped["scheduled_until"] = timestamp(row.scheduled_until)
    return shaped


def update(incident_code: str, row: IncidentUpdate) -> Json:
    at = timestamp(row.created_at)
    return {"id": row.code, "status": row.status, "body": row.body,
            "incident_id": incident_code, "created_at": at, "updated_at": at, "display_at": at,
            "affected_components": row.affected_components,
            "deliver_notifications": row.deliver_notifications, "custom_tweet": None,
            "tweet_id": None}


def group_id(name: str) -> str:
    """Groups have no row of their own; their id is stable from their name."""
    return hashlib.blake2b(name.encode(), digest_size=6).hexdigest()


def timestamp(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _group(data: PageData, name: str, members: list[Component]) -> Json:
    first = members[0]
    return {
        "id": group_id(name), "name": name, "status": worst([m.status for m in members]).value,
        "created_at": timestamp(min(m.created_at for m in members)),
        "updated_at": timestamp(max(m.updated_at for m in members)),
        "position": first.position, "description": None, "showcase": False,
        "start_date": None, "group_id": None, "page_id": data.page_code, "group": True,
        "only_show_if_degraded": False, "components": [m.code for m in members],
    }
