"""The real ``pagerduty`` library's REST client, pointed at warroom.

``RestApiV2Client`` insists on an https base URL; its HTTP client is
``httpx2``, so most tests hand the requests it builds (headers, From,
pagination, bodies) to the app through a transport, unchanged, instead of a
socket; one drives a real ``warroom serve`` over TLS."""

from __future__ import annotations

import httpx2
import pagerduty

from tests.intake.test_pagerduty_client import tls_server
from tests.pagerduty.conftest import SEED_SERVICE_ID

__all__ = ["tls_server"]


class AppTransport(httpx2.BaseTransport):
    """Delivers each request to the ASGI app (through Starlette's test client)."""

    def __init__(self, client) -> None:
        self.client = client
        self.seen: list[httpx2.Request] = []

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        self.seen.append(request)
        path = request.url.raw_path.decode()
        answer = self.client.request(request.method, path, headers=dict(request.headers),
                                     content=request.read())
        return httpx2.Response(answer.status_code, headers=dict(answer.headers),
                               stream=httpx2.ByteStream(answer.content), request=request)


def _client(client, people, role="responder"):
    transport = AppTransport(client)
    session = pagerduty.RestApiV2Client(
        people.tokens[role], default_from=f"{role}@example.com",
        base_url="https://warroom.example/pagerduty", transport=transport)
    session.retry[429] = 0
    return session, transport


def test_library_creates_lists_acknowledges_resolves_and_lists_oncalls(client, people, org,
                                                                      clock):
    org.staff_positions()
    session, transport = _client(client, people)
    created = session.rpost("incidents", json={
        "type": "incident", "title": "WebSocket Service Outage - Sev1",
        "service": {"id": SEED_SERVICE_ID, "type": "service_reference"}, "urgency": "high"})
    assert created["status"] == "triggered"
    assert org.paged() == ["oce"]
    assert transport.seen[0].headers["authorization"].startswith("Token token=")
    assert transport.seen[0].headers["from"] == "responder@example.com"
    acked = session.rput(created["self"].replace("http://127.0.0.1:8080/pagerduty/", ""),
                         json={"type": "incident_reference", "status": "acknowledged"})
    assert acked["status"] == "acknowledged"
    org.at(clock.now(), minutes=30)
    assert org.paged() == []  # nobody escalated to: paging stopped
    for title in ("second", "third"):
        session.rpost("incidents", json={"type": "incident", "title": title,
                                         "service": {"id": SEED_SERVICE_ID}})
    listed = session.list_all("incidents", params={"statuses[]": ["triggered", "acknowledged"],
                                                     "limit": 2})
    assert [i["title"] for i in listed] == ["WebSocket Service Outage - Sev1", "second",
                                            "third"]
    assert sum(1 for r in transport.seen if r.url.path.endswith("/incidents")
               and r.method == "GET") == 2  # paged by limit/offset/more
    resolved = session.rput(f"incidents/{created['id']}",
                            json={"type": "incident_reference", "status": "resolved"})
    assert resolved["status"] == "resolved"
    assert session.rget(f"incidents/{created['id']}")["status"] == "resolved"
    oncalls = session.list_all("oncalls")
    assert {"oce", "lead"} <= {o["user"]["summary"] for o in oncalls}
    assert session.rget("users/me")["email"] == "responder@example.com"


def test_library_raises_on_pagerduty_errors(client, people, org):
    session, _ = _client(client, people, role="viewer")
    try:
        session.rpost("incidents", json={"type": "incident", "title": "x",
                                         "service": {"id": SEED_SERVICE_ID}})
    except pagerduty.HttpError as error:
        assert error.response.status_code == 403
        assert error.response.json()["error"]["code"] == 2010
    else:
        raise AssertionError("a viewer created an incident")


def test_library_over_tls_against_a_real_warroom_serve(tls_server, people):
    """The same client over a real socket: warroom serve with --certfile and
    --keyfile, the library trusting only that certificate."""
    session = pagerduty.RestApiV2Client(
        people.tokens["responder"], default_from="responder@example.com",
        base_url=f"{tls_server.url}/pagerduty",
        transport=httpx2.HTTPTransport(verify=tls_server.trust))
    created = session.rpost("incidents", json={
        "type": "incident", "title": "WebSocket Service Outage - Sev1",
        "service": {"id": SEED_SERVICE_ID, "type": "service_reference"}, "urgency": "high"})
    assert created["status"] == "triggered" and created["urgency"] == "high"
    path = f"incidents/{created['id']}"
    assert session.rput(path, json={"type": "incident_reference",
                                    "status": "acknowledged"})["status"] == "acknowledged"
    assert session.rput(path, json={"type": "incident_reference",
                                    "status": "resolved"})["status"] == "resolved"
    listed = list(session.iter_all("incidents", params={"statuses[]": ["resolved"]}))
    assert [i["id"] for i in listed] == [created["id"]]
