"""``X-Forwarded-For`` is believed only from the proxies named in
``WARROOM_TRUSTED_PROXIES``: a local caller cannot forge the source address
the audit log records."""

from __future__ import annotations

import uvicorn
from fastapi.testclient import TestClient

from warroom.app import served
from warroom.cli import server_options

FORGED = "203.0.113.9"


def audited_source(app, people, peer: str) -> str | None:
    """Declare an incident from ``peer`` claiming to forward for FORGED; the
    source address its audit entry records."""
    config = uvicorn.Config(served(app), **server_options(app.state.settings))
    config.load()
    with TestClient(config.loaded_app, client=(peer, 50000)) as client:
        declared = client.post("/api/v1/incidents", headers={**people.admin,
                                                             "X-Forwarded-For": FORGED},
                               json={"type": "service_outage", "severity": "sev3",
                                     "title": "Forwarded"})
        assert declared.status_code == 201, declared.text
        target = f"incident:{declared.json()['id']}"
        (entry, *_) = client.get("/api/v1/audit", params={"target": target},
                                 headers=people.admin).json()
    return entry["source_ip"]


def test_a_local_caller_cannot_forge_its_address(app, people):
    assert audited_source(app, people, "127.0.0.1") == "127.0.0.1"


def test_a_configured_proxy_is_believed(app, people):
    app.state.settings.trusted_proxies = "10.0.0.0/8, 127.0.0.1"
    assert audited_source(app, people, "10.1.2.3") == FORGED


def test_a_proxy_not_configured_is_not_believed(app, people):
    app.state.settings.trusted_proxies = "10.0.0.5"
    assert audited_source(app, people, "10.0.0.6") == "10.0.0.6"
