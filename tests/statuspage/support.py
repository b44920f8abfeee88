"""What the status page tests share: the seed's calls and small helpers."""

from __future__ import annotations

SEED_STATUS = {
    "status": "degraded",
    "message": "We are experiencing elevated error rates and investigating the issue.",
    "components": {"chat": "operational", "media": "degraded", "authentication": "operational"},
}
SEED_MAINTENANCE_ON = {"enabled": True,
                       "message": "Security incident - service temporarily unavailable"}
SEED_MAINTENANCE_OFF = {"enabled": False}
SEED_HEADERS = {"Content-Type": "application/json"}


def post(client, people, path, body, role="admin", expect=None):
    """POST as ``role``; checks the status (any 2xx unless ``expect`` is given)."""
    answer = client.post(path, json=body, headers={**people.headers(role), **SEED_HEADERS})
    if expect is None:
        assert answer.status_code < 300, answer.text
    else:
        assert answer.status_code == expect, answer.text
    return answer.json() if answer.content else None


def statuses(client, people) -> dict[str, str]:
    listed = client.get("/api/v1/statuspage/components", headers=people.admin)
    assert listed.status_code == 200, listed.text
    return {c["name"]: c["status"] for c in listed.json()}


def summary(client) -> dict:
    answer = client.get("/api/v2/summary.json")
    assert answer.status_code == 200, answer.text
    return answer.json()
