"""Real clients against a real ``warroom serve``: the seed's form-encoded
curl (seed 000 §2.2, only the host, page id and token changed) shows its
notice on the public page at once, and a JSON client written the way a
third-party script uses httpx drives an incident and a component."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.support.receivers import free_port
from tests.support.serve import serving

if TYPE_CHECKING:
    from collections.abc import Iterator

SEED_FIELDS = "incident[name]=WebSocket Service Issues&incident[status]=investigating"


@pytest.fixture
def server(database, settings, tmp_path, people) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "WARROOM_DATABASE_URL": database.url, "WARROOM_HOST": "127.0.0.1",
           "WARROOM_PORT": str(port), "WARROOM_DATA_DIR": str(tmp_path / "server"),
           "WARROOM_SECRET_KEY": settings.secret_key.get_secret_value(),
           "WARROOM_LOG_LEVEL": "warning"}
    url = f"http://127.0.0.1:{port}"
    with serving(["--no-migrate"], env=env, log=tmp_path / "warroom.log", url=url):
        yield url


def page_id(url: str, token: str) -> str:
    answer = httpx.get(url + "/api/v1/statuspage", headers={"Authorization": f"Bearer {token}"})
    answer.raise_for_status()
    return answer.json()["id"]


@pytest.mark.e2e
def test_the_seed_curl_shows_the_notice_on_the_public_page_at_once(server, people):
    curl = shutil.which("curl")
    assert curl, "the curl binary is needed"
    token = people.tokens["commander"]
    done = subprocess.run(
        [curl, "-X", "POST", f"{server}/v1/pages/{page_id(server, token)}/incidents",
         "-H", f"Authorization: OAuth {token}", "-d", SEED_FIELDS],
        capture_output=True, timeout=30, check=True)
    created = json.loads(done.stdout)
    assert (created["name"], created["status"]) == ("WebSocket Service Issues", "investigating")
    summary = httpx.get(server + "/api/v2/summary.json").json()
    assert [i["name"] for i in summary["incidents"]] == ["WebSocket Service Issues"]
    page = httpx.get(server + "/status")
    assert "WebSocket Service Issues" in page.text and "Investigating" in page.text
    assert "WebSocket Service Issues" in httpx.get(server + "/status/history.atom").text


@pytest.mark.e2e
def test_a_json_client_opens_updates_and_resolves(server, people):
    token = people.tokens["admin"]
    with httpx.Client(base_url=f"{server}/v1/pages/{page_id(server, token)}",
                      headers={"Authorization": f"OAuth {token}"}, timeout=10) as api:
        components = {c["name"]: c["id"] for c in api.get("/components").json()}
        opened = api.post("/incidents", json={"incident": {
            "name": "Media uploads failing", "status": "investigating",
            "body": "Uploads fail for some users.",
            "components": {components["media"]: "partial_outage"}}})
        assert opened.status_code == 201, opened.text
        incident = opened.json()["id"]
        assert api.get("/incidents/unresolved").json()[0]["id"] == incident
        moved = api.patch(f"/components/{components['chat']}",
                          json={"component": {"status": "degraded_performance"}})
        assert moved.json()["status"] == "degraded_performance"
        shown = httpx.get(server + "/api/v2/components.json").json()["components"]
        assert {c["name"]: c["status"] for c in shown}["media"] == "partial_outage"
        resolved = api.patch(f"/incidents/{incident}", json={"incident": {
            "status": "resolved", "body": "Uploads work again."}})
        assert resolved.status_code == 200, resolved.text
        assert api.get("/incidents/unresolved").json() == []
        refused = api.patch(f"/incidents/{incident}", json={"incident": {"status": "nope"}})
        assert refused.status_code == 422 and "investigating" in refused.json()["error"]
    assert httpx.get(server + "/api/v2/incidents/unresolved.json").json()["incidents"] == []
