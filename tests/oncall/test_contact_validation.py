"""A contact method that could never deliver is refused when saved, with the
reason: a destination the outbound policy refuses, a whsec_ secret that is
not base64, SMS or voice while no gateway is configured."""

from __future__ import annotations

import pytest

from tests.support.outbound import set_allow_list
from warroom import config

METHODS = "/api/v1/oncall/people/responder/contact-methods"


def add(client, people, **body):
    return client.post(METHODS, headers=people.headers("responder"), json=body)


@pytest.mark.parametrize(("address", "reason"), [
    ("http://127.0.0.1:9000/hook", "loopback"),
    ("http://localhost:9000/hook", "loopback"),
    ("http://169.254.169.254/latest/meta-data/iam", "metadata"),
    ("http://[fd00:ec2::254]/latest/meta-data/", "metadata"),
    ("http://metadata.google.internal/computeMetadata/v1/", "metadata"),
    ("http://[fe80::1]/hook", "link_local"),
    ("http://10.1.2.3/hook", "private"),
])
def test_webhook_and_slack_methods_to_internal_addresses_are_refused(
        client, people, monkeypatch, address, reason):
    set_allow_list(monkeypatch, None)
    for kind in ("webhook", "slack"):
        refused = add(client, people, kind=kind, address=address)
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        problem = refused.json()
        assert (problem["field"], problem["reason"]) == ("address", reason)
        assert "WARROOM_OUTBOUND_ALLOW" in problem["detail"]
    person = client.get("/api/v1/oncall/people/responder", headers=people.admin).json()
    assert person["contact_methods"] == []


def test_an_allow_listed_internal_address_is_accepted(client, people, monkeypatch):
    set_allow_list(monkeypatch, "10.0.0.0/8")
    assert add(client, people, kind="webhook", address="http://10.1.2.3/hook").status_code \
        == 201


@pytest.mark.parametrize("secret", ["whsec_not base64!", "whsec_abc", "whsec_ab"])
def test_a_whsec_secret_that_is_not_base64_is_refused(client, people, secret):
    refused = add(client, people, kind="webhook", address="https://hooks.example.com/r",
                  secret=secret)
    assert refused.status_code == 422, refused.text
    assert refused.json()["field"] == "secret"
    assert "whsec_" in refused.json()["detail"]


def test_a_valid_whsec_secret_is_accepted(client, people):
    created = add(client, people, kind="webhook", address="https://hooks.example.com/r",
                  secret="whsec_c2VjcmV0LWtleS1mb3ItdGVzdHM=")
    assert created.status_code == 201 and created.json()["signed"] is True


@pytest.mark.parametrize("kind", ["sms", "voice"])
def test_phone_methods_need_a_configured_gateway(client, people, monkeypatch, kind):
    monkeypatch.delenv("WARROOM_SMS_GATEWAY_URL", raising=False)
    config.reset()
    refused = add(client, people, kind=kind, address="+15551234567")
    assert refused.status_code == 422
    assert (refused.json()["field"], refused.json()["reason"]) == ("kind", "no_gateway")
    assert "WARROOM_SMS_GATEWAY_URL" in refused.json()["detail"]
    monkeypatch.setenv("WARROOM_SMS_GATEWAY_URL", "https://sms-gateway.example.com/send")
    config.reset()
    assert add(client, people, kind=kind, address="+15551234567").status_code == 201


def test_the_cli_refuses_an_internal_webhook_with_the_reason(database, people, monkeypatch):
    from typer.testing import CliRunner

    from warroom.cli import app as cli_app

    set_allow_list(monkeypatch, None)
    result = CliRunner().invoke(cli_app, ["oncall", "person", "add-contact", "responder",
                                          "--kind", "webhook", "--address",
                                          "http://169.254.169.254/latest/meta-data/"])
    assert result.exit_code != 0
    assert "cloud metadata address" in result.output
