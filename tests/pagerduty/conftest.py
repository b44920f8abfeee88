"""PagerDuty drop-in fixtures: PagerDuty-style headers per role, a service
id mapped as a migrating team maps its old ids, and the on-call
organisation of tests/oncall (people paged through the local receiver)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.oncall.conftest import org, worker  # noqa: F401  (shared fixtures)
from warroom.auth import service as users
from warroom.db import Actor

FIXTURES = Path(__file__).parent / "fixtures"
SERVICE = "websocket-service"
SEED_SERVICE_ID = "WEBSOCKET_SERVICE_ID"


@pytest.fixture(autouse=True)
def service_ids(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARROOM_PAGERDUTY_SERVICE_IDS", json.dumps({SEED_SERVICE_ID: SERVICE}))


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


class PD:
    """Requests as a PagerDuty client sends them, one role's token each."""

    def __init__(self, client: Any, people: Any, script: str) -> None:
        self.client = client
        self.people = people
        self.script = script
        """A service account's token: PagerDuty's general access token."""

    def headers(self, role: str = "responder", sender: str | None = "") -> dict[str, str]:
        token = self.script if role == "script" else self.people.tokens[role]
        headers = {"Authorization": f"Token token={token}",
                   "Accept": "application/vnd.pagerduty+json;version=2"}
        if sender is not None:
            headers["From"] = sender or f"{role}@example.com"
        return headers

    def request(self, method: str, path: str, *, role: str = "responder",
                sender: str | None = "", **kw: Any) -> Any:
        return self.client.request(method, "/pagerduty" + path,
                                   headers=self.headers(role, sender), **kw)

    def create(self, title: str = "WebSocket Service Outage - Sev1", *, role: str = "responder",
               **fields: Any) -> Any:
        incident = {"type": "incident", "title": title,
                    "service": {"id": SEED_SERVICE_ID, "type": "service_reference"},
                    "urgency": "high", **fields}
        return self.request("POST", "/incidents", role=role, json={"incident": incident})


@pytest.fixture
def pd(client, people, database, clock) -> PD:
    with database.unit_of_work(Actor(name="setup", kind="system"), clock=clock) as uow:
        script = users.service_account_token(uow, name="pd-scripts", role="responder").secret
    return PD(client, people, script)
