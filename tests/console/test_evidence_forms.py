"""The evidence tab's remaining custody forms in-process (SQLite): verify,
a custody event, amend before and after sealing, and the signed export, each
with its refusal re-rendered beside the form and nothing saved."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import zipfile

from tests.console.support import csrf_of, sign_in
from warroom.evidence import bundle, service, store

BODY = b"GET /admin 200\n"


def _item(client, database, clock) -> tuple[str, str, str]:
    """A commander declares an incident and uploads one file; answers the
    tab's path, the item's path and a CSRF token."""
    sign_in(client, database, clock, "commander")
    token = csrf_of(client.get("/incidents").text)
    made = client.post("/incidents", data={"csrf_token": token, "type": "service_outage",
                                           "severity": "sev2", "title": "Chat down"},
                       follow_redirects=False)
    tab = made.headers["location"] + "/evidence"
    sent = client.post(tab + "/upload", follow_redirects=False, data={
        "csrf_token": token, "kind": "file", "title": "Log", "source_host": "web-01"},
        files={"file": ("access.log", BODY, "text/plain")})
    assert sent.status_code == 303, sent.text
    return tab, sent.headers["location"], token


def _events(database, ref: str) -> list[tuple[str, str]]:
    with database.read() as session:
        item = service.get_or_raise(session, ref=ref)
        return [(e.action, e.purpose) for e in service.custody_log(session, item)]


def test_verify_shows_the_result_and_a_tampered_file_is_named(client, people, database,
                                                               clock, settings):
    _, item, token = _item(client, database, clock)
    ref = item.rsplit("/", 1)[1]
    assert "has not been re-hashed" in client.get(item).text
    assert client.post(item + "/verify", data={"csrf_token": token},
                       follow_redirects=False).status_code == 303
    assert "it matches" in client.get(item).text
    path = store.path_of(service.root(), hashlib.sha256(BODY).hexdigest())
    os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    path.write_bytes(b"GET /admin 404\n")
    client.post(item + "/verify", data={"csrf_token": token})
    page = client.get(item).text
    assert "not the recorded SHA-256" in page
    assert hashlib.sha256(b"GET /admin 404\n").hexdigest() in page
    timeline = client.get(item.split("/evidence")[0]).text
    assert f"Evidence {ref} failed verification" in timeline


def test_a_custody_event_is_recorded_and_an_unknown_kind_refused(client, people, database,
                                                                  clock, settings):
    _, item, token = _item(client, database, clock)
    ref = item.rsplit("/", 1)[1]
    before = _events(database, ref)
    bad = client.post(item + "/events", data={"csrf_token": token, "action": "stolen",
                                              "purpose": "looked"})
    assert bad.status_code == 422 and 'id="events-error"' in bad.text
    short = client.post(item + "/events", data={"csrf_token": token, "action": "copied",
                                                "purpose": "x"})
    assert short.status_code == 422 and "purpose of at least 3" in short.text
    assert _events(database, ref) == before
    done = client.post(item + "/events", follow_redirects=False, data={
        "csrf_token": token, "action": "copied", "counterparty": "forensics lab",
        "location": "lab safe 2", "purpose": "working copy for analysis"})
    assert done.status_code == 303
    assert _events(database, ref)[-1] == ("copied", "working copy for analysis")
    assert "forensics lab" in client.get(item).text


def test_amend_applies_before_seal_and_is_only_recorded_after(client, people, database,
                                                               clock, settings):
    _, item, token = _item(client, database, clock)
    ref = item.rsplit("/", 1)[1]
    form = {"csrf_token": token, "title": "Log", "source_host": "web-01", "tlp": "amber",
            "personal_data": "no", "purpose": "typo"}
    same = client.post(item + "/amend", data=form)
    assert same.status_code == 422 and "Nothing differs" in same.text
    unsaid = client.post(item + "/amend", data={**form, "source_host": "web-02",
                                                "purpose": ""})
    assert unsaid.status_code == 422 and 'value="web-02"' in unsaid.text
    with database.read() as session:
        assert service.get_or_raise(session, ref=ref).source_host == "web-01"
    applied = client.post(item + "/amend", follow_redirects=False, data={
        **form, "source_host": "web-02", "personal_data": "yes", "purpose": "wrong host"})
    assert applied.status_code == 303, applied.text
    with database.read() as session:
        found = service.get_or_raise(session, ref=ref)
        assert (found.source_host, found.personal_data) == ("web-02", True)
    client.post(item + "/seal", data={"csrf_token": token, "purpose": "hand over"})
    assert "correction is recorded" in client.get(item).text
    client.post(item + "/amend", data={**form, "source_host": "web-03",
                                       "personal_data": "yes", "purpose": "still wrong"})
    with database.read() as session:
        found = service.get_or_raise(session, ref=ref)
        assert found.source_host == "web-02"
        last = service.custody_log(session, found)[-1]
        assert last.action == "amended" and last.after["source_host"] == "web-03"
        assert last.after["applied"] is False and last.before["source_host"] == "web-02"


def test_export_downloads_a_bundle_that_verifies_offline(client, people, database, clock,
                                                          settings, tmp_path):
    tab, item, token = _item(client, database, clock)
    ref = item.rsplit("/", 1)[1]
    assert 'id="export"' in client.get(tab).text
    unsaid = client.post(tab + "/export", data={"csrf_token": token, "to": "police",
                                                "purpose": ""})
    assert unsaid.status_code == 422 and 'id="export-error"' in unsaid.text
    assert [a for a, _ in _events(database, ref)].count("exported") == 0
    got = client.post(tab + "/export", data={"csrf_token": token, "to": "police",
                                             "purpose": "case 4711"})
    assert got.status_code == 200 and got.headers["content-type"] == "application/zip"
    assert got.headers["content-disposition"].startswith("attachment")
    saved = tmp_path / "bundle.zip"
    saved.write_bytes(got.content)
    problems, manifest = bundle.verify(saved)
    assert problems == [] and [i["ref"] for i in manifest["manifest"]["items"]] == [ref]
    assert zipfile.ZipFile(io.BytesIO(got.content)).testzip() is None
    assert _events(database, ref)[-1] == ("exported", "case 4711")
    assert not list((service.root() / "tmp").glob("export-*"))


def test_a_viewer_has_no_custody_forms_and_is_refused(client, people, database, clock,
                                                      settings):
    tab, item, _ = _item(client, database, clock)
    sign_in(client, database, clock, "viewer")
    token = csrf_of(client.get("/incidents").text)
    page = client.get(item).text
    assert "/verify" not in page and "/amend" not in page and "/events" not in page
    assert 'id="export"' not in client.get(tab).text
    for path in (item + "/verify", item + "/events", item + "/amend", tab + "/export"):
        assert client.post(path, data={"csrf_token": token, "purpose": "look"}
                           ).status_code == 403, path
