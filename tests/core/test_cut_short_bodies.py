"""A request whose body stops before its end (the client left, or the body
deadline closed the connection) stores nothing, even when the part that
arrived happens to be a complete JSON document."""

from __future__ import annotations

import asyncio
from typing import Any

from warroom.app import served


def call_cut_short(app: Any, path: str, token: str, first_part: bytes) -> list[dict[str, Any]]:
    """Run one request through the app as served: ``first_part`` arrives
    with more to come, then the client is gone."""
    messages = [{"type": "http.request", "body": first_part, "more_body": True},
                {"type": "http.disconnect"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": path, "raw_path": path.encode(),
             "root_path": "", "query_string": b"", "client": ("127.0.0.1", 5000),
             "server": ("127.0.0.1", 8080),
             "headers": [(b"authorization", f"Bearer {token}".encode()),
                         (b"content-type", b"application/json"),
                         (b"content-length", b"200")]}
    asyncio.run(served(app)(scope, receive, send))
    return sent


def test_an_alert_body_cut_short_is_not_stored(client, people):
    sent = call_cut_short(client.app, "/api/v1/alerts/generic", people.tokens["responder"],
                          b'{"name": "DiskFull"}')
    assert sent[0]["status"] == 400
    assert client.get("/api/v1/alerts", headers=people.admin).json()["items"] == []


def test_a_route_whose_body_is_cut_short_stores_nothing_either(client, people):
    sent = call_cut_short(client.app, "/api/v1/incidents", people.tokens["admin"],
                          b'{"type": "service_outage", "severity": "sev3"}')
    assert sent[0]["status"] == 400
    assert client.get("/api/v1/incidents", headers=people.admin).json()["items"] == []
