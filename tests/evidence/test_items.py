"""Items: uploaded content hashed while it streams, stored once by address,
served only as a download, and every touch on the custody log."""

from __future__ import annotations

import hashlib
import os
import stat

from tests.evidence.conftest import stored_files

CONTENT = b"203.0.113.9 - - [01/Mar/2026:10:15:00 +0100] \"GET /ws HTTP/1.1\" 101\n" * 50


def test_upload_and_download_round_trip_with_hashes_and_custody(
        incident, upload, client, people, store_dir):
    made = upload(incident, CONTENT, source_host="web-01",
                  source_locator="/var/log/websocket/access.log", method_tool="cp",
                  collected_at="2026-03-01T10:20:00+01:00", collected_by="alice",
                  personal_data=True, tlp="red",
                  declared_hashes={"sha256": hashlib.sha256(CONTENT).hexdigest()})
    assert made.status_code == 201, made.text
    item = made.json()
    assert item["ref"].startswith("EV-")
    assert (item["sha256"], item["sha1"], item["md5"], item["size"]) == (
        hashlib.sha256(CONTENT).hexdigest(), hashlib.sha1(CONTENT).hexdigest(),
        hashlib.md5(CONTENT).hexdigest(), len(CONTENT))
    assert item["collected_tz"] == "+01:00"
    assert item["collected_at"].startswith("2026-03-01T09:20:00")
    assert (item["original_filename"], item["media_type_sniffed"],
            item["media_type_declared"]) == ("access.log", "text/plain", "text/plain")
    assert (item["custodian"], item["status"], item["tlp"], item["personal_data"]) == (
        "responder", "registered", "red", True)
    [path] = stored_files(store_dir)
    assert path.name == item["sha256"]
    assert not os.stat(path).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)

    refused = client.get(f"/api/v1/evidence/{item['ref']}/content", headers=people.admin)
    assert refused.status_code == 422  # a purpose is required
    got = client.get(f"/api/v1/evidence/{item['ref']}/content",
                     params={"purpose": "timeline analysis"}, headers=people.admin)
    assert got.status_code == 200
    assert got.content == CONTENT
    assert got.headers["content-type"] == "application/octet-stream"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-disposition"].startswith('attachment; filename="access.log"')

    log = client.get(f"/api/v1/evidence/{item['ref']}/custody", headers=people.admin).json()
    assert [(e["seq"], e["action"]) for e in log] == [
        (1, "collected"), (2, "registered"), (3, "downloaded")]
    assert log[0]["tz"] == "+01:00" and log[0]["counterparty"] == "alice"
    assert log[1]["hash_observed"] == item["sha256"]
    downloaded = log[2]
    assert (downloaded["actor"], downloaded["purpose"], downloaded["address"]) == (
        "admin", "timeline analysis", "testclient")
    assert [e["prev_hash"] for e in log[1:]] == [e["hash"] for e in log[:-1]]
    events = client.get(f"/api/v1/incidents/{incident}/timeline",
                        params={"kind": "evidence"}, headers=people.admin).json()
    assert [(e["data"]["action"], e["data"]["ref"]) for e in events] == [
        ("added", item["ref"])]
    audit = client.get("/api/v1/audit", params={"target": f"evidence:{item['ref']}#3"},
                       headers=people.admin)
    assert audit.status_code == 200
    assert [e["action"] for e in audit.json()] == ["evidence.downloaded"]


def test_the_same_content_twice_is_stored_once(incident, upload, store_dir):
    first = upload(incident, CONTENT).json()
    second = upload(incident, CONTENT, title="Same log, second copy").json()
    assert first["ref"] != second["ref"] and first["sha256"] == second["sha256"]
    assert len(stored_files(store_dir)) == 1


def test_a_declared_hash_that_does_not_match_is_refused_with_nothing_stored(
        incident, upload, client, people, store_dir):
    refused = upload(incident, CONTENT, declared_hashes={"md5": "0" * 32})
    assert refused.status_code == 422, refused.text
    assert "does not match" in refused.json()["detail"]
    assert stored_files(store_dir) == []
    assert list((store_dir / "tmp").iterdir()) == []
    assert client.get(f"/api/v1/incidents/{incident}/evidence",
                      headers=people.admin).json() == []


def test_too_large_for_the_quota_is_refused_with_nothing_stored(
        incident, upload, configure, client, people, store_dir):
    configure(EVIDENCE_INCIDENT_QUOTA_BYTES="1000")
    refused = upload(incident, CONTENT)
    assert refused.status_code == 413, refused.text
    assert "quota" in refused.json()["detail"]
    assert stored_files(store_dir) == []
    assert list((store_dir / "tmp").iterdir()) == []


def test_any_file_type_is_accepted_sniffed_and_never_rendered(incident, upload, client,
                                                              people):
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
    item = upload(incident, png, filename="<script>.html", kind="screenshot").json()
    assert item["media_type_sniffed"] == "image/png"
    got = client.get(f"/api/v1/evidence/{item['ref']}/content",
                     params={"purpose": "report"}, headers=people.admin)
    assert got.headers["content-type"] == "application/octet-stream"
    assert '"_script_.html"' in got.headers["content-disposition"]


def test_external_and_physical_items_are_json_and_need_no_content(incident, client, people):
    made = client.post(f"/api/v1/incidents/{incident}/evidence", headers=people.admin,
                       json={"kind": "physical_item", "title": "Laptop of the on-call",
                             "location": "safe 2, Berlin office", "custodian": "security"})
    assert made.status_code == 201, made.text
    assert (made.json()["sha256"], made.json()["location"]) == (None, "safe 2, Berlin office")
    no_content = client.post(f"/api/v1/incidents/{incident}/evidence", headers=people.admin,
                             json={"kind": "database_dump", "title": "dump"})
    assert no_content.status_code == 422
    gone = client.get(f"/api/v1/evidence/{made.json()['ref']}/content",
                      params={"purpose": "look"}, headers=people.admin)
    assert gone.status_code == 409


def test_transfer_is_recorded_and_on_the_timeline(incident, upload, client, people):
    ref = upload(incident, CONTENT).json()["ref"]
    moved = client.post(f"/api/v1/evidence/{ref}/transfer", headers=people.headers("responder"),
                        json={"to": "forensics@lab", "location": "lab locker 4",
                              "purpose": "analysis", "tz": "Europe/Berlin"})
    assert moved.status_code == 200, moved.text
    assert (moved.json()["custodian"], moved.json()["location"]) == ("forensics@lab",
                                                                      "lab locker 4")
    last = client.get(f"/api/v1/evidence/{ref}/custody", headers=people.admin).json()[-1]
    assert (last["action"], last["counterparty"], last["tz"], last["before"]["custodian"]) == (
        "transferred", "forensics@lab", "Europe/Berlin", "responder")
    actions = [e["data"]["action"] for e in client.get(
        f"/api/v1/incidents/{incident}/timeline", params={"kind": "evidence"},
        headers=people.admin).json()]
    assert actions == ["added", "transferred"]


def test_sealing_freezes_metadata_and_later_corrections_are_amended_events(
        incident, upload, client, people):
    ref = upload(incident, CONTENT).json()["ref"]
    fixed = client.post(f"/api/v1/evidence/{ref}/amend", headers=people.admin,
                        json={"changes": {"title": "Access log web-01"}, "purpose": "typo"})
    assert fixed.json()["title"] == "Access log web-01"
    sealed = client.post(f"/api/v1/evidence/{ref}/seal", headers=people.admin,
                         json={"purpose": "collection complete"})
    assert sealed.json()["status"] == "sealed"
    late = client.post(f"/api/v1/evidence/{ref}/amend", headers=people.admin,
                       json={"changes": {"source_host": "web-02"}, "purpose": "wrong host"})
    assert late.status_code == 200
    assert late.json()["source_host"] is None  # frozen
    last = client.get(f"/api/v1/evidence/{ref}/custody", headers=people.admin).json()[-1]
    assert (last["action"], last["before"], last["after"]) == (
        "amended", {"source_host": None}, {"source_host": "web-02", "applied": False})
    again = client.post(f"/api/v1/evidence/{ref}/seal", headers=people.admin,
                        json={"purpose": "again"})
    assert again.status_code == 409


def test_permission_walk(incident, upload, client, people):
    assert upload(incident, CONTENT, role="viewer").status_code == 403
    ref = upload(incident, CONTENT, role="responder").json()["ref"]
    assert client.get(f"/api/v1/evidence/{ref}", headers=people.headers("viewer")
                      ).status_code == 403
    assert client.get(f"/api/v1/evidence/{ref}", headers=people.headers("responder")
                      ).status_code == 200
    for role in ("responder", "commander"):
        assert client.post(f"/api/v1/evidence/{ref}/destroy", headers=people.headers(role),
                           json={"purpose": "retention over"}).status_code == 403
    assert client.post(f"/api/v1/evidence/{ref}/destroy", headers=people.admin,
                       json={"purpose": "retention over"}).status_code == 200


def test_an_unknown_parent_item_is_refused_before_anything_is_stored(
        incident, upload, store_dir):
    refused = upload(incident, CONTENT, derived_from="EV-999")
    assert refused.status_code == 404, refused.text
    assert stored_files(store_dir) == []


def test_content_missing_from_the_store_is_a_409_not_a_broken_download(
        incident, upload, client, people, store_dir):
    ref = upload(incident, CONTENT).json()["ref"]
    [path] = stored_files(store_dir)
    path.unlink()
    got = client.get(f"/api/v1/evidence/{ref}/content", params={"purpose": "look"},
                     headers=people.admin)
    assert got.status_code == 409
    assert "missing from the store" in got.json()["detail"]
