"""Live updates: one shared feed per process reads new timeline events from
the database and hands them to every open event stream.

Every change worth showing (ack, phase, role, step, note, alert...) writes a
timeline event, and timeline ids only grow, so "events with an id above the
last one seen" is a complete, gap-free and duplicate-free feed that works
across processes and on SQLite. The feed polls once per interval, or at once
when a unit of work of this process that wrote timeline events commits (API,
console, intake or timers alike); a stream resumes from
``Last-Event-ID``. Nothing here reads warroom's clock, and tests drive the
feed with :meth:`Feed.poll_once` instead of waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from sse_starlette.sse import EventSourceResponse

from warroom.auth.permissions import Permission
from warroom.console import settings as console_settings
from warroom.console.session import console_requires
from warroom.db import Actor
from warroom.http import DbInt
from warroom.incidents import service, timeline

if TYPE_CHECKING:
    from fastapi import FastAPI
    from sqlalchemy.orm import Session

    from warroom.db import Database

router = APIRouter(include_in_schema=False)
Reader = Annotated[Actor, console_requires(Permission.incident_read)]
BATCH = 500


@dataclass(frozen=True)
class Item:
    id: int
    incident_id: int
    kind: str
    summary: str

    def message(self, ref: str | None = None) -> dict[str, Any]:
        return {"id": str(self.id), "event": "timeline",
                "data": orjson.dumps({"id": self.id, "incident": f"INC-{self.incident_id}",
                                      "kind": self.kind, "summary": self.summary}).decode()}


class Feed:
    """The process's one reader of new timeline events."""

    def __init__(self, database: Database, interval: float) -> None:
        self.database = database
        self.interval = interval
        self.last_id: int | None = None
        self._queues: set[asyncio.Queue[Item]] = set()
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None

    def latest_id(self, session: Session) -> int:
        return timeline.latest_id(session)

    def since(self, after: int, *, incident_id: int | None = None,
              limit: int = BATCH) -> list[Item]:
        with self.database.read() as session:
            rows = timeline.since(session, after=after, incident_id=incident_id, limit=limit)
        return [Item(*row) for row in rows]

    async def poll_once(self) -> int:
        """Read what is new since the last poll and hand it out; how many."""
        if self.last_id is None:
            with self.database.read() as session:
                self.last_id = self.latest_id(session)
            return 0
        items = await asyncio.to_thread(self.since, self.last_id)
        for item in items:
            self.last_id = item.id
            for queue in list(self._queues):
                queue.put_nowait(item)
        return len(items)

    def kick(self) -> None:
        """Poll now (called after a console write commits, from any thread)."""
        if self._loop is not None and self._wake is not None:
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._wake.set)

    def subscribe(self) -> asyncio.Queue[Item]:
        queue: asyncio.Queue[Item] = asyncio.Queue()
        self._queues.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[Item]) -> None:
        self._queues.discard(queue)

    def start(self) -> None:
        """Run the polling loop in this event loop (once)."""
        if self._task is None or self._task.done():
            self._loop = asyncio.get_running_loop()
            self._wake = asyncio.Event()
            self._task = self._loop.create_task(self._run())

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            try:
                while await self.poll_once() >= BATCH:
                    pass
            except Exception:  # a database hiccup must not end live updates
                pass
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval)
            self._wake.clear()


def feed_of(app: FastAPI) -> Feed:
    feed = getattr(app.state, "console_feed", None)
    if feed is None:
        feed = Feed(app.state.database, console_settings.get().console_live_poll_seconds)
        timeline.on_committed(feed.kick)
        app.state.console_feed = feed
    return feed


async def stream(feed: Feed, *, after: int, incident_id: int | None) -> AsyncIterator[
        dict[str, Any]]:
    """Events above ``after`` (of one incident, or all), then every new one:
    subscribe first, replay from the database, then skip what the replay sent."""
    queue = feed.subscribe()
    try:
        last = after
        while True:
            replay = await asyncio.to_thread(feed.since, last, incident_id=incident_id)
            for item in replay:
                last = item.id
                yield item.message()
            if len(replay) < BATCH:
                break
        while True:
            item = await queue.get()
            if item.id <= last or (incident_id is not None and item.incident_id != incident_id):
                continue
            last = item.id
            yield item.message()
    finally:
        feed.unsubscribe(queue)


def _incident_id(request: Request, ref: str) -> int:
    with request.app.state.database.read() as session:
        return service.get_by_ref_or_raise(session, ref=ref).id


def _resume_from(request: Request, after: int) -> int:
    header = request.headers.get("last-event-id", "")
    if header.isdigit() and len(header) < 12:
        return max(after, int(header))
    return after


def _respond(request: Request, *, after: int, incident_id: int | None) -> EventSourceResponse:
    feed = feed_of(request.app)
    feed.start()
    return EventSourceResponse(
        stream(feed, after=_resume_from(request, after), incident_id=incident_id),
        headers={"X-Accel-Buffering": "no", "Cache-Control": "no-cache"}, ping=15)


@router.get("/incidents/live/events")
async def all_events(request: Request, actor: Reader,
               after: Annotated[DbInt, Query(ge=0)] = 0) -> EventSourceResponse:
    """New timeline events of every incident (the incident list listens)."""
    return _respond(request, after=after, incident_id=None)


@router.get("/incidents/{ref}/events")
async def incident_events(request: Request, ref: str, actor: Reader,
                    after: Annotated[DbInt, Query(ge=0)] = 0) -> EventSourceResponse:
    """New timeline events of one incident (its page listens)."""
    incident_id = await asyncio.to_thread(_incident_id, request, ref)
    return _respond(request, after=after, incident_id=incident_id)
