"""PagerDuty's own Python client (``pagerduty.EventsApiV2Client``) against a
real ``warroom serve --certfile/--keyfile``: the client refuses plain http,
so this is how a site moves a tool off PagerDuty without touching its code
beyond the base URL."""

from __future__ import annotations

import ipaddress
import os
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import httpx
import pagerduty
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.support.receivers import free_port
from tests.support.serve import serving

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


@dataclass
class Served:
    url: str
    trust: ssl.SSLContext


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, valid for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - timedelta(minutes=5))
                   .not_valid_after(now + timedelta(days=1))
                   .add_extension(x509.SubjectAlternativeName(
                       [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None),
                                  critical=True)
                   .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.fixture
def tls_server(people, database, settings, tmp_path) -> Iterator[Served]:
    """A real ``warroom serve`` over HTTPS on the test database (people exist
    first, so the server does not bootstrap an admin of its own)."""
    cert, key = self_signed(tmp_path)
    port = free_port()
    env = {**os.environ, "WARROOM_DATABASE_URL": database.url, "WARROOM_HOST": "127.0.0.1",
           "WARROOM_PORT": str(port), "WARROOM_DATA_DIR": str(tmp_path / "server"),
           "WARROOM_SECRET_KEY": settings.secret_key.get_secret_value(),
           "WARROOM_LOG_LEVEL": "warning"}
    served = Served(f"https://127.0.0.1:{port}", ssl.create_default_context(cafile=cert))
    with serving(["--no-migrate", "--no-worker", "--certfile", str(cert), "--keyfile", str(key)],
                 env=env, log=tmp_path / "warroom.log", url=served.url, verify=served.trust):
        yield served


def test_the_client_refuses_plain_http():
    with pytest.raises(pagerduty.UrlError):
        pagerduty.EventsApiV2Client("0" * 32, base_url="http://127.0.0.1:8080")


def test_pagerdutys_client_drives_warroom_over_tls(tls_server, people):
    with httpx.Client(base_url=tls_server.url, verify=tls_server.trust, timeout=10,
                      headers=people.admin) as http:
        key = http.post("/api/v1/integrations", json={"name": "legacy", "kind": "pagerduty"}
                        ).json()["key"]
        events = pagerduty.EventsApiV2Client(key, base_url=tls_server.url,
                                             verify=tls_server.trust, timeout=10)
        before = (datetime.now(UTC) - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
        events.send_change_event(payload={"summary": "Deploy shop 1.4.2",
                                          "source": "shop-web-1", "timestamp": before})
        assert events.trigger("Checkout latency above 2s", "shop-web-1", dedup_key="k1",
                              severity="error",
                              payload={"class": "latency", "component": "checkout",
                                       "timestamp": "2015-03-01T00:00:00Z"}) == "k1"
        events.trigger("Checkout latency above 2s", "shop-web-9", dedup_key="k1",
                       severity="error", payload={"class": "latency", "component": "cart"})
        events.resolve("k1")
        (alert,) = http.get("/api/v1/alerts").json()["items"]
        incident = http.get("/api/v1/incidents/INC-1").json()
    assert (alert["status"], alert["labels"]["component"]) == ("resolved", "checkout")
    assert alert["starts_at"] == incident["started_at"] and \
        not incident["started_at"].startswith("2015")
    assert [c["summary"] for c in incident["extra"]["recent_changes"]] == ["Deploy shop 1.4.2"]
