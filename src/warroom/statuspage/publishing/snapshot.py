"""The snapshot: every public response of the status page, rendered once and
kept in memory, so a spike of readers never reaches the database.

When is it rebuilt?

- after any change committed by this process (``page.after_change``), in the
  writer's thread, before the writer answers: a writer reads its own change;
- when another process changed the page: a background thread reads the page
  version every ``WARROOM_STATUSPAGE_REFRESH_MS`` (one tiny query per
  interval, not per request) and rebuilds when it moved. That interval is the
  longest a process serves an old page;
- at midnight UTC, when the uptime bars shift by a day.

If a rebuild fails (database down), the last good snapshot keeps being served
and the next version check tries again.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

import orjson
import structlog

from warroom.db import SYSTEM, Database
from warroom.statuspage import page
from warroom.statuspage import settings as statuspage_settings
from warroom.statuspage.components import service as components
from warroom.statuspage.publishing import documents, pagedata, public_json, render
from warroom.statuspage.publishing.documents import ATOM, HTML, JSON, RSS, SVG, Document
from warroom.statuspage.vocabulary import COMPONENT_LABELS, ComponentStatus

if TYPE_CHECKING:
    from warroom.clock import Clock
    from warroom.statuspage.publishing.pagedata import PageData

log = structlog.get_logger("warroom.statuspage")

FIXED_PATHS = (
    "/status", "/status/history.atom", "/status/history.rss", "/status/badge.svg",
    "/api/v2/summary.json", "/api/v2/status.json", "/api/v2/components.json",
    "/api/v2/incidents.json", "/api/v2/incidents/unresolved.json",
    "/api/v2/scheduled-maintenances.json", "/api/v2/scheduled-maintenances/upcoming.json",
    "/api/v2/scheduled-maintenances/active.json",
)
PAGE_PREFIX = "/status"
# Statuspage clients (and the status widget) append /api/v2/... to the page's
# URL, which is <base>/status: the JSON is served under it too, same bytes.
ALIASES = {PAGE_PREFIX + path: path for path in FIXED_PATHS if path.startswith("/api/v2/")}
COMPONENT_BADGE = "/status/components/{component}/badge.svg"
INCIDENT_PAGE = "/status/incidents/{code}"


@dataclass(frozen=True)
class Snapshot:
    version: int
    day: date
    expires_at: datetime
    documents: dict[str, Document]
    data: PageData


def build(data: PageData, *, max_age: int) -> dict[str, Document]:
    """Every public path of the page, as prepared responses."""
    modified = max(data.updated_at, datetime.combine(data.now.date(), time.min, tzinfo=UTC))

    def make(body: bytes, content_type: str) -> Document:
        return documents.make(body, content_type, last_modified=modified, max_age=max_age)

    def as_json(shape: object) -> Document:
        return make(orjson.dumps(shape), JSON)

    built = {
        "/status": make(render.status_page(data), HTML),
        "/status/history.atom": make(render.atom(data), ATOM),
        "/status/history.rss": make(render.rss(data), RSS),
        "/status/badge.svg": make(render.badge(data.name, data.description, data.indicator),
                                  SVG),
        "/api/v2/summary.json": as_json(public_json.summary(data)),
        "/api/v2/status.json": as_json(public_json.status_document(data)),
        "/api/v2/components.json": as_json(public_json.components_document(data)),
        "/api/v2/incidents.json": as_json(public_json.incidents_document(data, data.incidents)),
        "/api/v2/incidents/unresolved.json": as_json(
            public_json.incidents_document(data, data.unresolved)),
        "/api/v2/scheduled-maintenances.json": as_json(
            public_json.maintenances_document(data, data.maintenances)),
        "/api/v2/scheduled-maintenances/upcoming.json": as_json(
            public_json.maintenances_document(data, data.upcoming)),
        "/api/v2/scheduled-maintenances/active.json": as_json(
            public_json.maintenances_document(data, data.active)),
    }
    built.update({alias: built[path] for alias, path in ALIASES.items()})
    for component in data.components:
        label = COMPONENT_LABELS[ComponentStatus(component.status)].lower()
        badge = make(render.badge(component.name, label, component.status), SVG)
        for key in {component.name, component.code}:
            built[COMPONENT_BADGE.format(component=key)] = badge
    for entry in {e.row.id: e for e in (data.incidents + data.unresolved + data.maintenances
                                        + data.upcoming + data.active)}.values():
        built[INCIDENT_PAGE.format(code=entry.row.code)] = make(
            render.incident_page(data, entry), HTML)
    return built


class Snapshots:
    """The current snapshot of one database, for one app."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self.database = database
        self.clock = clock
        self._current: Snapshot | None = None
        self._defaults_checked = False
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._poller: threading.Thread | None = None
        _live.add(self)

    def fresh(self) -> Snapshot | None:
        """The snapshot unless it is missing or past midnight, without touching
        the database (the fast layer's question: can I answer alone?)."""
        snapshot = self._current
        if snapshot is None or self.clock.now() >= snapshot.expires_at:
            return None
        return snapshot

    def current(self) -> Snapshot:
        """The snapshot, built first if there is none yet (or a day passed)."""
        snapshot = self.fresh()
        if snapshot is not None:
            return snapshot
        with self._lock:  # one builder; the others then find it built
            return self.fresh() or self.rebuild()

    def rebuild(self) -> Snapshot:
        """Read the page and render it all again. Readers keep getting the
        previous snapshot until the new one replaces it in one assignment."""
        self._ensure_defaults()
        with self._lock:
            now = self.clock.now()
            with self.database.read() as session:
                data = pagedata.gather(session, now=now)
                built = build(data, max_age=statuspage_settings.get().statuspage_max_age_seconds)
            midnight = datetime.combine(now.date() + timedelta(days=1), time.min, tzinfo=UTC)
            self._current = Snapshot(version=data.version, day=now.date(),
                                     expires_at=midnight, documents=built, data=data)
            return self._current

    def refresh(self) -> None:
        """Rebuild now; on failure keep serving the last one (the poller retries)."""
        try:
            self.rebuild()
        except Exception:
            log.exception("status page snapshot rebuild failed; will retry")

    def start(self) -> None:
        """Watch for changes made by other processes."""
        if self._poller is None:
            self._stop.clear()
            self._poller = threading.Thread(target=self._poll, name="statuspage-refresh",
                                            daemon=True)
            self._poller.start()

    def stop(self) -> None:
        self._stop.set()
        if self._poller is not None:
            self._poller.join(timeout=5)
            self._poller = None

    def _ensure_defaults(self) -> None:
        """A fresh database gets its default components on first sight."""
        if self._defaults_checked:
            return
        with self.database.read() as session:
            loaded = page.get(session).defaults_loaded
        if not loaded:
            with self.database.unit_of_work(SYSTEM, clock=self.clock) as uow:
                components.ensure_defaults(uow)
        self._defaults_checked = True

    def check(self) -> bool:
        """One look at the page version (one tiny query); rebuild if another
        process moved it. True if it rebuilt."""
        try:
            with self.database.read() as session:
                latest = page.version(session)
        except Exception as failed:
            log.warning("status page version check failed", error=str(failed)[:200])
            return False
        if self._current is not None and latest == self._current.version:
            return False
        self.refresh()
        return True

    def _poll(self) -> None:
        interval = max(0.05, statuspage_settings.get().statuspage_refresh_ms / 1000)
        while not self._stop.wait(interval):
            self.check()


_live: weakref.WeakSet[Snapshots] = weakref.WeakSet()


def refresh_local(database: Database) -> None:
    """After a commit that changed the page: rebuild this process's snapshots
    of that database (joined to ``page.after_change`` by the wiring)."""
    for snapshots in list(_live):
        if snapshots.database is database:
            snapshots.refresh()
