"""Everything the public surfaces show, read in one go from the status page's
own tables (and nothing else: no internal incident field is ever read here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from warroom.statuspage import page, records
from warroom.statuspage import settings as statuspage_settings
from warroom.statuspage.components import history
from warroom.statuspage.components import service as components
from warroom.statuspage.records import INCIDENT, MAINTENANCE
from warroom.statuspage.vocabulary import ACTIVE_MAINTENANCE, MaintenanceStatus, indicator

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from warroom.statuspage.components.history import Day
    from warroom.statuspage.models import Component, IncidentUpdate, PublicIncident

RECENT = 50


@dataclass
class Entry:
    """A public incident or maintenance with its updates (newest first) and
    the components it touches."""

    row: PublicIncident
    updates: list[IncidentUpdate]
    components: list[Component]


@dataclass
class PageData:
    now: datetime
    version: int
    page_code: str
    name: str
    url: str
    updated_at: datetime
    components: list[Component]
    history: dict[int, list[Day]]
    incidents: list[Entry]
    unresolved: list[Entry]
    maintenances: list[Entry]
    upcoming: list[Entry]
    active: list[Entry]
    mode: Entry | None
    indicator: str
    description: str


def gather(session: Session, *, now: datetime) -> PageData:
    """Read the page. The version is read first: if a change lands while
    reading, the data is at least as new as the version, never older."""
    state = page.get(session)
    version = state.version
    settings = statuspage_settings.get()
    shown = components.get_all(session)
    recent = records.get_all(session, kind=INCIDENT, limit=RECENT)
    windows = records.get_all(session, kind=MAINTENANCE, limit=RECENT)
    unresolved = records.unresolved(session)
    open_windows = records.get_all(session, kind=MAINTENANCE, limit=500,
                                     statuses=tuple(s.value for s in (
                                         MaintenanceStatus.scheduled, *ACTIVE_MAINTENANCE)))
    entries = _entries(session, {i.id: i for i in [*recent, *windows, *unresolved,
                                                   *open_windows]})
    upcoming = sorted((entries[w.id] for w in open_windows
                       if w.status == MaintenanceStatus.scheduled),
                      key=lambda e: (e.row.scheduled_for or now, e.row.id))
    active = [entries[w.id] for w in open_windows if w.status in ACTIVE_MAINTENANCE]
    level, description = indicator([c.status for c in shown], [i.impact for i in unresolved])
    return PageData(
        now=now, version=version, page_code=state.page_code, name=settings.statuspage_name,
        url=settings.page_url, updated_at=state.updated_at, components=shown,
        history=history.days_by_component(session, [c.id for c in shown], now=now),
        incidents=[entries[i.id] for i in recent],
        unresolved=[entries[i.id] for i in unresolved],
        maintenances=[entries[w.id] for w in windows], upcoming=upcoming, active=active,
        mode=entries.get(state.maintenance_mode_id or 0), indicator=level,
        description=description)


def _entries(session: Session, rows: dict[int, PublicIncident]) -> dict[int, Entry]:
    ids = list(rows)
    updates = records.updates_of(session, ids)
    touched = records.components_of(session, ids)
    return {i: Entry(row=rows[i], updates=updates[i], components=touched[i]) for i in ids}
