"""Public responses come from an in-memory snapshot: validators, 304s, no
database query per request, and changes seen by every process."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import event

from tests.statuspage.support import SEED_STATUS, post
from warroom.db import Database
from warroom.statuspage.publishing.snapshot import FIXED_PATHS, Snapshots

JSON_PATH = "/api/v2/summary.json"


def test_a_conditional_request_with_the_etag_is_answered_304(public):
    first = public.get(JSON_PATH)
    again = public.get(JSON_PATH, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == first.headers["etag"]


def test_the_ordinary_route_answers_304_too(client):
    first = client.get("/status")
    again = client.get("/status", headers={"If-None-Match": f'W/{first.headers["etag"]}'})
    assert again.status_code == 304


def test_if_modified_since_is_304_until_the_page_changes(public, people, clock):
    first = public.get(JSON_PATH)
    stamp = first.headers["last-modified"]
    assert public.get(JSON_PATH, headers={"If-Modified-Since": stamp}).status_code == 304
    clock.advance(minutes=2)
    post(public, people, "/api/v1/admin/status", SEED_STATUS)
    assert public.get(JSON_PATH, headers={"If-Modified-Since": stamp}).status_code == 200


def test_a_change_is_visible_at_once_with_a_new_etag(public, people):
    before = public.get(JSON_PATH)
    post(public, people, "/api/v1/admin/status", SEED_STATUS)
    after = public.get(JSON_PATH, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    assert after.json()["status"]["indicator"] == "minor"


@pytest.mark.parametrize("path", FIXED_PATHS)
def test_every_public_path_carries_cache_headers(public, path):
    answer = public.get(path)
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "public, max-age=5"
    assert answer.headers["etag"].startswith('"')
    assert answer.headers["last-modified"].endswith("GMT")
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_json_and_badges_may_be_read_from_other_sites(public):
    assert public.get(JSON_PATH).headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-origin" not in public.get("/status").headers


def test_head_sends_the_headers_without_the_body(public):
    full = public.get("/status", headers={"Accept-Encoding": "identity"})
    head = public.head("/status", headers={"Accept-Encoding": "identity"})
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(full.content))


def test_clients_that_accept_gzip_get_it(public):
    raw = public.get("/status", headers={"Accept-Encoding": "identity"})
    zipped = public.get("/status", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["vary"] == "Accept-Encoding"
    assert zipped.content == raw.content  # the client unpacked it
    assert int(zipped.headers["content-length"]) < len(raw.content) / 2


def test_public_requests_do_not_query_the_database(public, database):
    public.get("/status")  # the first look builds the snapshot
    queries = []

    def count(*_args):
        if threading.current_thread().name != "statuspage-refresh":
            queries.append(1)

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        for _ in range(20):
            for path in FIXED_PATHS:
                assert public.get(path).status_code == 200
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    assert queries == []


def test_the_fast_lane_and_the_route_serve_the_same_bytes(app, public):
    from fastapi.testclient import TestClient

    fast = public.get(JSON_PATH)
    with TestClient(app) as plain:
        routed = plain.get(JSON_PATH)
    assert routed.content == fast.content
    assert routed.headers["etag"] == fast.headers["etag"]


def test_another_process_sees_a_change_at_its_next_version_check(database, work, clock):
    # Two processes: two engines on the same database, each with its snapshot.
    other = Database(database.url)
    try:
        theirs = Snapshots(other, clock)
        before = theirs.current().documents[JSON_PATH].plain.body
        with work() as uow:
            from warroom.statuspage import service

            service.report_status(uow, report=service.StatusReport(**SEED_STATUS))
        assert theirs.current().documents[JSON_PATH].plain.body == before  # not yet
        assert theirs.check() is True
        assert b'"indicator":"minor"' in theirs.current().documents[JSON_PATH].plain.body
        assert theirs.check() is False  # nothing new: no rebuild
    finally:
        other.dispose()


def test_the_snapshot_is_rebuilt_after_midnight(public, clock):
    first = public.get("/status").text
    clock.advance(timedelta(hours=13))  # 12:00 + 13h: the next day
    second = public.get("/status").text
    assert first != second
    assert public.app.snapshots.fresh().day == clock.now().date()
