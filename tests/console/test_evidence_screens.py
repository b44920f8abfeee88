"""The evidence tab in-process (SQLite): upload streamed from the form,
download as a custody event, bad input re-rendered, a viewer refused."""

from __future__ import annotations

import hashlib

from tests.console.support import csrf_of, sign_in


def test_upload_download_and_refusals(client, people, database, clock, settings):
    sign_in(client, database, clock, "commander")
    token = csrf_of(client.get("/incidents").text)
    made = client.post("/incidents", data={"csrf_token": token, "type": "service_outage",
                                           "severity": "sev2", "title": "Chat down"},
                       follow_redirects=False)
    page = made.headers["location"] + "/evidence"
    token = csrf_of(client.get(page).text)
    body = b"GET /admin 200\n"
    bad = client.post(page + "/upload", data={"csrf_token": token, "kind": "file",
                                             "title": "Log", "sha256": "0" * 64},
                      files={"file": ("access.log", body, "text/plain")})
    assert bad.status_code >= 400 and "field-error" in bad.text and "EV-1" not in bad.text
    sent = client.post(page + "/upload", follow_redirects=False, data={
        "csrf_token": token, "kind": "file", "title": "Log",
        "sha256": hashlib.sha256(body).hexdigest()},
        files={"file": ("access.log", body, "text/plain")})
    assert sent.status_code == 303, sent.text
    item = sent.headers["location"]
    got = client.post(item + "/download", data={"csrf_token": token, "purpose": "triage"})
    assert got.content == body and got.headers["content-disposition"].startswith("attachment")
    html = client.get(item).text
    assert "downloaded" in html and "triage" in html and 'id="chain-ok"' in html
    sign_in(client, database, clock, "viewer")
    token = csrf_of(client.get("/incidents").text)
    for path in ("/upload", "/register"):
        assert client.post(page + path, data={"csrf_token": token}).status_code == 403
    for path in ("/transfer", "/seal", "/hold", "/destroy", "/destroy/approve"):
        assert client.post(item + path, data={"csrf_token": token,
                                              "purpose": "x" * 5}).status_code == 403
