"""A busy incident's page shows a page of its timeline and links to the rest,
newest first or oldest first, keeping the kind filter."""

from __future__ import annotations

import re

from tests.console.support import sign_in
from warroom.console.incidents import TIMELINE_PAGE
from warroom.db import SYSTEM
from warroom.incidents import service as incidents
from warroom.incidents import timeline

EVENT = re.compile(r'id="event-(\d+)"')


def _busy(database, clock, extra: int) -> tuple[str, int]:
    with database.unit_of_work(SYSTEM, clock=clock) as uow:
        incident = incidents.declare(uow, declaration=incidents.Declaration(
            type="service_outage", severity="sev2", title="Busy"))
        ref, incident_id = incident.ref, incident.id
        timeline.add_all(uow, [{"incident_id": incident_id, "kind": "note",
                                "summary": f"note {n}", "data": None} for n in range(extra)])
    return ref, incident_id


def test_the_timeline_is_paged_with_a_link_to_older_events(client, people, database, clock):
    sign_in(client, database, clock, "responder")
    ref, _ = _busy(database, clock, TIMELINE_PAGE + 30)
    html = client.get(f"/incidents/{ref}").text
    shown = [int(n) for n in EVENT.findall(html)]
    assert len(shown) == TIMELINE_PAGE and shown == sorted(shown, reverse=True)
    older = re.search(r'href="([^"]+beyond=\d+)">Show older events', html)
    assert older, "no link to older events"
    rest = client.get(older.group(1).replace("&amp;", "&")).text
    more = [int(n) for n in EVENT.findall(rest)]
    assert more and max(more) < min(shown) and "Show older events" not in rest
    assert "Back to the newest events" in rest
    with database.read() as session:
        assert len(shown) + len(more) == len(timeline.get_all(session, incident_id=int(
            ref.split("-")[-1]), limit=5000))


def test_oldest_first_and_kind_filter_are_kept_across_pages(client, people, database, clock):
    sign_in(client, database, clock, "responder")
    ref, _ = _busy(database, clock, TIMELINE_PAGE + 5)
    html = client.get(f"/incidents/{ref}?order=oldest&kind=note").text
    shown = [int(n) for n in EVENT.findall(html)]
    assert len(shown) == TIMELINE_PAGE and shown == sorted(shown)
    later = re.search(r'href="([^"]+)">Show later events', html)
    assert later and "kind=note" in later.group(1) and "order=oldest" in later.group(1)
    rest = client.get(later.group(1).replace("&amp;", "&")).text
    more = [int(n) for n in EVENT.findall(rest)]
    assert len(more) == 5 and min(more) > max(shown)
    assert "kind-phase" not in rest


def test_a_bad_page_cursor_is_a_4xx(client, people, database, clock):
    sign_in(client, database, clock, "responder")
    ref, _ = _busy(database, clock, 1)
    assert client.get(f"/incidents/{ref}?beyond=-1").status_code == 422
    assert client.get(f"/incidents/{ref}?beyond=x").status_code == 422
