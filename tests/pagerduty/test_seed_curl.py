"""Seed 000 §2.2's incident declaration, run with the real ``curl`` against a
real ``warroom serve``: the seed's command verbatim except the host (and the
token placeholder, which every reader replaces with their own token). The
incident opens and the on-call engineer is paged."""

from __future__ import annotations

import json
import os
import re
import subprocess

from tests.pagerduty.conftest import SERVICE
from tests.support.receivers import free_port
from tests.support.serve import serving
from warroom.clock import FileClock
from warroom.incidents import service as incidents

SEED_CURL = """curl -X POST "https://api.pagerduty.com/incidents" \\
  -H "Authorization: Token token=YOUR_API_TOKEN" \\
  -H "Content-Type: application/json" \\
  -d '{
    "incident": {
      "type": "incident",
      "title": "WebSocket Service Outage - Sev1",
      "service": {"id": "WEBSOCKET_SERVICE_ID", "type": "service_reference"},
      "urgency": "high"
    }
  }'"""
"""The seed's command as written in seed 000 §2.2, copied byte for byte (the
seeds are not part of the repository)."""


def test_seed_curl_opens_and_pages(org, people, database, settings, clock, tmp_path):
    org.staff_positions()
    port = free_port()
    time_file = tmp_path / "now"
    FileClock.write(time_file, clock.now())
    env = {**os.environ, "WARROOM_DATABASE_URL": database.url, "WARROOM_HOST": "127.0.0.1",
           "WARROOM_PORT": str(port), "WARROOM_DATA_DIR": str(tmp_path / "server"),
           "WARROOM_SECRET_KEY": settings.secret_key.get_secret_value(),
           "WARROOM_LOG_LEVEL": "warning", "WARROOM_FAKE_TIME_FILE": str(time_file),
           "WARROOM_PAGERDUTY_SERVICE_IDS": json.dumps({"WEBSOCKET_SERVICE_ID": SERVICE})}
    base = f"http://127.0.0.1:{port}"
    command = SEED_CURL.replace("https://api.pagerduty.com", f"{base}/pagerduty") \
        .replace("YOUR_API_TOKEN", people.tokens["responder"])
    assert re.sub(r"token=\S+\"", "", command).count("api.pagerduty.com") == 0
    argv = ["bash", "-c", command + " --silent --show-error --write-out '\\n%{http_code}'"]
    with serving(["--no-migrate", "--no-worker"], env=env, log=tmp_path / "warroom.log",
                 url=base):
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    body, _, status = done.stdout.rpartition("\n")
    assert status == "201", body
    incident = json.loads(body)["incident"]
    assert incident["title"] == "WebSocket Service Outage - Sev1"
    assert incident["status"] == "triggered" and incident["urgency"] == "high"
    assert incident["html_url"] == f"{base}/incidents/INC-{incident['incident_number']}"
    with database.read() as session:
        row = incidents.get(session, incident_id=incident["incident_number"])
        assert (row.severity, row.services) == ("sev1", [SERVICE])
    assert org.paged() == ["oce"]
