"""The live feed: complete, ordered, without duplicates, resumable from the
last event id, and driven by the test (no timers, no sleeping)."""

from __future__ import annotations

import asyncio
import json

from warroom.console.live import Feed, _resume_from, stream
from warroom.incidents import service


def _declare(work, title: str) -> str:
    with work() as uow:
        return service.declare(uow, declaration=service.Declaration(
            type="service_outage", severity="sev2", title=title)).ref


def _note(work, ref: str, text: str) -> None:
    with work() as uow:
        service.add_note(uow, incident=service.get_for_update(uow, ref=ref), text=text)


def _summaries(messages) -> list[str]:
    return [json.loads(m["data"])["summary"] for m in messages]


def _notes(messages) -> list[str]:
    return [json.loads(m["data"])["summary"] for m in messages
            if json.loads(m["data"])["kind"] == "note"]


async def _until(messages, last: str) -> list[dict]:
    got = []
    while not got or json.loads(got[-1]["data"])["summary"] != last:
        got.append(await messages.__anext__())
    return got


def test_a_stream_replays_then_follows_without_gaps_or_duplicates(database, work):
    feed = Feed(database, interval=60)
    first = _declare(work, "Chat down")
    other = _declare(work, "Mail down")

    async def scenario() -> None:
        assert await feed.poll_once() == 0  # the first poll only finds where "now" is
        incident_id = int(first.split("-")[1])
        messages = stream(feed, after=0, incident_id=incident_id)
        declared = await messages.__anext__()
        assert "Chat down" in json.loads(declared["data"])["summary"]
        _note(work, first, "one")
        _note(work, other, "elsewhere")
        _note(work, first, "two")
        # the replay already has "one" and "two"; the feed hands them out again
        assert await feed.poll_once() == 3
        _note(work, first, "three")
        await feed.poll_once()
        got = await _until(messages, "three")
        assert _notes(got) == ["one", "two", "three"]
        ids = [int(m["id"]) for m in [declared, *got]]
        assert ids == sorted(ids) and len(set(ids)) == len(ids)
        await messages.aclose()
        two = next(int(m["id"]) for m in got if _summaries([m]) == ["two"])

        # a reconnect from the last id it saw gets only what came after
        _note(work, first, "four")
        resumed = stream(feed, after=two, incident_id=incident_id)
        again = await _until(resumed, "four")
        assert _notes(again) == ["three", "four"]
        await resumed.aclose()

        everything = stream(feed, after=0, incident_id=None)
        seen = await _until(everything, "four")
        incidents = [json.loads(m["data"])["incident"] for m in seen]
        assert incidents[0] == first and other in incidents
        assert _notes(seen) == ["one", "elsewhere", "two", "three", "four"]
        await everything.aclose()

    asyncio.run(scenario())


def test_the_last_event_id_header_wins_over_a_stale_query(app):
    class Asked:
        def __init__(self, header: str) -> None:
            self.headers = {"last-event-id": header}

    assert _resume_from(Asked("42"), 7) == 42  # type: ignore[arg-type]
    assert _resume_from(Asked("nonsense"), 7) == 7  # type: ignore[arg-type]
    assert _resume_from(Asked("3"), 7) == 7  # type: ignore[arg-type]


def test_a_kick_from_another_thread_wakes_the_shared_loop(database, work):
    feed = Feed(database, interval=3600)

    async def scenario() -> None:
        feed.start()
        queue = feed.subscribe()
        while feed.last_id is None:
            await asyncio.sleep(0)
        ref = _declare(work, "Chat down")
        await asyncio.to_thread(feed.kick)
        item = await asyncio.wait_for(queue.get(), timeout=30)
        assert item.incident_id == int(ref.split("-")[1])
        assert feed._task is not None
        feed._task.cancel()

    asyncio.run(scenario())
