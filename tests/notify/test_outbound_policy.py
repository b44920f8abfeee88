"""The outbound destination policy: loopback, link-local, private and
metadata destinations are refused unless allow-listed, when saved and again
when sent, after DNS resolution, on the address actually connected to."""

from __future__ import annotations

import ipaddress

import pytest

from tests.support.outbound import set_allow_list
from warroom import outbound
from warroom.notify.channels import webhook
from warroom.notify.channels.webhook import post

REFUSED = [
    ("http://127.0.0.1:8080/api", "loopback"),
    ("http://127.1/", "loopback"),
    ("http://2130706433/", "loopback"),
    ("http://0x7f000001/", "loopback"),
    ("http://[::1]:9/", "loopback"),
    ("http://[::ffff:127.0.0.1]/", "loopback"),
    ("http://localhost:9/hook", "loopback"),
    ("http://169.254.169.254/latest/meta-data/", "metadata"),
    ("http://[fd00:ec2::254]/latest/meta-data/", "metadata"),
    ("http://metadata.google.internal/computeMetadata/v1/", "metadata"),
    ("http://100.100.100.200/latest/meta-data/", "metadata"),
    ("http://169.254.10.1/", "link_local"),
    ("http://[fe80::1]/", "link_local"),
    ("http://10.0.0.5/", "private"),
    ("http://172.16.3.4/", "private"),
    ("https://192.168.1.1/admin", "private"),
    ("http://[fd12:3456::1]/", "private"),
    ("http://db.internal/", "private"),
    ("http://printer.local/", "private"),
    ("http://0.0.0.0/", "not_public"),
]


def fake_resolver(monkeypatch: pytest.MonkeyPatch, *answers: str) -> list[str]:
    """Each lookup answers the next address (the last one repeats), as a
    name that rebinds between the check and the connection would."""
    asked: list[str] = []

    def resolve(host: str, port: int) -> list[outbound.IPAddress]:
        asked.append(host)
        return [ipaddress.ip_address(answers[min(len(asked), len(answers)) - 1])]

    monkeypatch.setattr(outbound, "resolve", resolve)
    return asked


@pytest.mark.parametrize(("url", "reason"), REFUSED)
def test_non_public_destinations_are_refused_when_saved(monkeypatch, url, reason):
    set_allow_list(monkeypatch, None)
    with pytest.raises(outbound.DestinationRefused) as refused:
        outbound.check_url(url, field="address")
    assert refused.value.reason == reason
    body = refused.value.body()
    assert (body["status"], body["field"], body["reason"]) == (422, "address", reason)
    assert "WARROOM_OUTBOUND_ALLOW" in body["detail"]
    assert "/api" not in body["detail"] and "meta-data" not in body["detail"]


@pytest.mark.parametrize("url", ["https://93.184.216.34/hook", "https://[2606:4700::1]/x",
                                 "https://hooks.example.com/services/T1/B2/c3"])
def test_public_destinations_pass(monkeypatch, url):
    set_allow_list(monkeypatch, None)
    assert outbound.check_url(url, field="address") == url


@pytest.mark.parametrize(("allow", "url"), [
    ("10.0.0.0/8", "http://10.1.2.3/hook"),
    ("192.168.1.7", "http://192.168.1.7/"),
    ("hooks.corp", "http://hooks.corp/x"),
    ("*.corp.example.com", "http://alerts.corp.example.com/x"),
    ("127.0.0.0/8", "http://localhost:9/"),
    ("metadata.google.internal", "http://metadata.google.internal/"),
])
def test_the_allow_list_names_what_may_be_called_anyway(monkeypatch, allow, url):
    set_allow_list(monkeypatch, f"203.0.113.0/24, {allow}")
    assert outbound.check_url(url, field="address") == url


def test_a_name_that_resolves_to_a_private_address_is_refused_when_saved(monkeypatch):
    set_allow_list(monkeypatch, None)
    fake_resolver(monkeypatch, "10.20.30.40")
    with pytest.raises(outbound.DestinationRefused, match="resolves to a private address"):
        outbound.check_url("https://innocent.example.com/hook", field="url")


def test_a_malformed_allow_list_entry_stops_start_up(monkeypatch):
    from pydantic import ValidationError

    set_allow_list(monkeypatch, "10.0.0.0/33")
    with pytest.raises(ValidationError, match="neither a CIDR"):
        outbound.OutboundSettings()


def test_a_name_rebound_to_loopback_after_the_save_check_is_refused_when_sent(
        monkeypatch, receiver):
    set_allow_list(monkeypatch, None)
    port = receiver.server.server_address[1]
    fake_resolver(monkeypatch, "93.184.216.34", "127.0.0.1")
    url = f"http://rebind.example.com:{port}/hook"
    assert outbound.check_url(url, field="address") == url
    result = post(url, b"{}", {"content-type": "application/json"}, 5)
    assert (result.ok, result.permanent, result.status_code) == (False, True, None)
    assert "outbound destination policy" in result.error
    assert "loopback" in result.error and "/hook" not in result.error
    assert receiver.requests == []


def test_the_connection_goes_to_the_address_that_was_checked(monkeypatch, receiver):
    set_allow_list(monkeypatch, "127.0.0.0/8")
    port = receiver.server.server_address[1]
    asked = fake_resolver(monkeypatch, "127.0.0.1")
    result = post(f"http://pinned.example.com:{port}/hook", b"{}", {}, 5)
    assert result.ok
    assert asked == ["pinned.example.com"]
    assert receiver.requests[0].headers["host"] == f"pinned.example.com:{port}"


def test_a_literal_loopback_address_is_refused_when_sent(monkeypatch, receiver):
    set_allow_list(monkeypatch, None)
    result = post(receiver.url + "/hook", b"{}", {}, 5)
    assert (result.ok, result.permanent) == (False, True)
    assert "a loopback address" in result.error
    assert receiver.requests == []


def test_logs_name_the_destination_by_origin_only(receiver, caplog, monkeypatch):
    import logging

    import structlog
    from structlog.testing import capture_logs

    from warroom import logs

    set_allow_list(monkeypatch, "127.0.0.0/8")
    monkeypatch.setattr(structlog, "configure", lambda **kwargs: None)  # keep test logging
    monkeypatch.setattr(logging.getLogger("httpx"), "level", logging.NOTSET)
    monkeypatch.setattr(logging.getLogger("httpcore"), "level", logging.NOTSET)
    logs.configure("info")
    with caplog.at_level(logging.INFO), capture_logs() as events:
        # A logger another test used may be cached with that test's processors
        # (cache_logger_on_first_use): log through a fresh one bound here.
        monkeypatch.setattr(webhook, "log", structlog.get_logger("warroom.outbound"))
        post(receiver.url + "/services/T000/B000/SECRETPART", b"{}", {}, 5)
    assert "SECRETPART" not in caplog.text
    assert "SECRETPART" not in repr(events)
    assert {"event": "outbound request", "destination": receiver.url, "status_code": 200,
            "ok": True, "log_level": "info"} in events
