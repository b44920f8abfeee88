"""warroom's permission table applies to PagerDuty callers, and refusals
are PagerDuty error objects."""

from __future__ import annotations

from tests.pagerduty.conftest import fixture
from tests.pagerduty.shapes import assert_shape


def test_viewer_lists_but_cannot_create_or_update(pd, org):
    created = pd.create()
    pd_id = created.json()["incident"]["id"]
    for path in ("/incidents", f"/incidents/{pd_id}", f"/incidents/{pd_id}/log_entries",
                 "/oncalls", "/services", "/escalation_policies", "/schedules", "/users/me"):
        assert pd.request("GET", path, role="viewer").status_code == 200, path
    denied = pd.create(role="viewer")
    assert denied.status_code == 403
    assert_shape(fixture("error_access_denied.json"), denied.json())
    assert denied.json()["error"]["code"] == 2010
    assert "incident:write" in denied.json()["error"]["errors"][0]
    assert denied.headers["content-type"].startswith("application/json")
    put = pd.request("PUT", f"/incidents/{pd_id}", role="viewer", json={
        "incident": {"type": "incident_reference", "status": "acknowledged"}})
    assert put.status_code == 403
    note = pd.request("POST", f"/incidents/{pd_id}/notes", role="viewer",
                      json={"note": {"content": "x"}})
    assert note.status_code == 403
    assert pd.request("GET", "/incidents", role="viewer").json()["incidents"][0][
        "status"] == "triggered"


def test_no_or_bad_token_is_pagerduty_unauthorized(pd, org):
    anonymous = pd.client.get("/pagerduty/incidents")
    assert anonymous.status_code == 401
    assert_shape(fixture("error_unauthorized.json"), anonymous.json())
    assert "Token token=" in anonymous.json()["error"]["errors"][0]
    wrong = pd.client.get("/pagerduty/incidents",
                          headers={"Authorization": "Token token=not-a-real-token"})
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == 2006
    assert wrong.headers["content-type"].startswith("application/json")


def test_a_warroom_bearer_token_works_too(pd, client, people, org):
    answer = client.get("/pagerduty/incidents", headers=people.headers("viewer"))
    assert answer.status_code == 200
    denied = client.post("/pagerduty/incidents", json={}, headers=people.headers("viewer"))
    assert denied.status_code == 403
    assert denied.json()["error"]["code"] == 2010
    assert "incident:write" in denied.json()["detail"]
