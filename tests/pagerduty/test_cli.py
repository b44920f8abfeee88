"""``warroom pagerduty ids`` prints the ids the API answers with."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tests.pagerduty.conftest import SEED_SERVICE_ID, SERVICE
from warroom.cli import app as cli_app


def test_ids_match_the_api(pd, org):
    org.staff_positions()
    result = CliRunner().invoke(cli_app, ["pagerduty", "ids", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    service = next(r for r in rows if r["type"] == "service" and r["name"] == SERVICE)
    assert service["also"] == SEED_SERVICE_ID
    listed = pd.request("GET", "/services").json()["services"]
    assert service["id"] == next(s["id"] for s in listed if s["name"] == SERVICE)
    me = pd.request("GET", "/users/me").json()["user"]
    assert {"type": "user", "name": "responder", "id": me["id"], "also": ""} in rows
    policy = next(r for r in rows if r["type"] == "escalation_policy" and r["name"] == "sev1")
    assert pd.request("GET", f"/escalation_policies/{policy['id']}").status_code == 200
    table = CliRunner().invoke(cli_app, ["pagerduty", "ids"])
    assert table.exit_code == 0 and "PI00016" in table.output
