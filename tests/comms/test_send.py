"""Sending: rendered once, queued through the outbox to people and
destinations, numbered per incident, and on the timeline."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from warroom.cli import app as cli_app


@pytest.fixture
def incident(declare, assign):
    ref = declare(type="service_outage", severity="critical", title="WebSocket service down")
    assign(ref, "incident_commander", "commander")
    assign(ref, "communications_lead", "responder", backup="viewer")
    return ref


def send(client, people, ref, template="status_update", to=("role:communications_lead",),
         role="responder", **fields):
    return client.post(f"/api/v1/incidents/{ref}/comms", headers=people.headers(role),
                       json={"template": template, "to": list(to), "fields": fields})


def test_status_updates_count_up_per_incident_and_reach_the_roles_people(
        incident, declare, client, people, worker, mailbox):
    ahead = client.post(f"/api/v1/incidents/{incident}/comms/preview", headers=people.admin,
                        json={"template": "status_update"}).json()
    assert ahead["update_number"] == 1
    first = send(client, people, incident, to=["role:communications_lead",
                                               "email:exec@example.com"])
    assert first.status_code == 201, first.text
    assert first.json()["update_number"] == 1
    assert first.json()["recipients"] == ["responder (Communications Lead)",
                                          "viewer (Communications Lead)",
                                          "email:exec@example.com"]
    assert send(client, people, incident).json()["update_number"] == 2
    other = declare(type="service_outage", severity="high")
    assert send(client, people, other, to=["email:ops@example.com"]).json()[
        "update_number"] == 1
    worker.run_once()
    title = f"{incident} WebSocket service down (Investigating)"
    delivered = sorted((m["To"], m["Subject"]) for m in mailbox.wait_for(6))
    assert delivered == [
        ("exec@example.com", f"INCIDENT UPDATE #1: {title}"),
        ("ops@example.com", f"INCIDENT UPDATE #1: {other} Chat is down (Investigating)"),
        ("responder@example.com", f"INCIDENT UPDATE #1: {title}"),
        ("responder@example.com", f"INCIDENT UPDATE #2: {title}"),
        ("viewer@example.com", f"INCIDENT UPDATE #1: {title}"),
        ("viewer@example.com", f"INCIDENT UPDATE #2: {title}")]
    events = client.get(f"/api/v1/incidents/{incident}/timeline", params={"kind": "comms"},
                        headers=people.admin).json()
    assert [e["summary"] for e in events] == [
        "Status update #1 sent to responder (Communications Lead), "
        "viewer (Communications Lead), email:exec@example.com",
        "Status update #2 sent to responder (Communications Lead), "
        "viewer (Communications Lead)"]
    audit = client.get("/api/v1/audit", params={"action": "comms.send"},
                       headers=people.admin).json()
    assert len(audit) == 3


def test_named_channel_and_webhook_recipients(incident, configure, client, people, worker,
                                              receiver):
    configure(COMMS_CHANNELS=json.dumps({"executives": f"webhook:{receiver.url}/exec"}))
    answer = send(client, people, incident, template="executive", to=["channel:executives"],
                  brief="Log streaming down", eta="13:00 UTC")
    assert answer.status_code == 201, answer.text
    worker.run_once()
    (request,) = receiver.wait_for(1)
    payload = request.json()
    assert request.path == "/exec"
    assert payload["subject"] == "[SEV-1] our service Incident - Log streaming down"
    assert payload["incident"] == incident and payload["template"] == "executive"
    assert "- Expected resolution time: 13:00 UTC" in payload["text"]


def test_nothing_is_sent_when_a_recipient_cannot_be_reached(declare, client, people):
    ref = declare()
    nobody = send(client, people, ref, to=["email:ops@example.com",
                                           "role:communications_lead"])
    assert nobody.status_code == 422
    assert "Nobody is assigned to Communications Lead" in nobody.json()["detail"]
    unknown = send(client, people, ref, to=["channel:board"])
    assert unknown.status_code == 422 and "WARROOM_COMMS_CHANNELS" in unknown.json()["detail"]
    odd = send(client, people, ref, to=["pigeon:roof"])
    assert odd.status_code == 422
    assert client.get("/api/v1/outbox", headers=people.admin).json() == []
    assert client.get(f"/api/v1/incidents/{ref}/comms", headers=people.admin).json() == []


@pytest.mark.parametrize(("target", "reason"), [
    ("webhook:http://127.0.0.1:8080/api/v1/admin/status", "loopback"),
    ("webhook:http://169.254.169.254/latest/meta-data/iam/", "metadata"),
    ("http://[fd00:ec2::254]/latest/meta-data/", "metadata"),
    ("webhook:http://metadata.google.internal/computeMetadata/v1/", "metadata"),
    ("webhook:http://10.0.0.8:9200/_search", "private")])
def test_webhooks_to_internal_addresses_are_refused_and_nothing_is_sent(
        incident, client, people, monkeypatch, target, reason):
    from tests.support.outbound import set_allow_list

    set_allow_list(monkeypatch, None)
    refused = send(client, people, incident, to=["role:communications_lead", target])
    assert refused.status_code == 422, refused.text
    assert (refused.json()["field"], refused.json()["reason"]) == ("to", reason)
    assert client.get("/api/v1/outbox", headers=people.admin).json() == []
    assert client.get(f"/api/v1/incidents/{incident}/comms", headers=people.admin).json() == []


def test_viewers_may_preview_but_not_send(incident, declare, client, people):
    """Unless they hold a role on the incident that grants sending (the
    viewer is the backup communications lead of ``incident``)."""
    assert client.post(f"/api/v1/incidents/{incident}/comms/preview",
                       headers=people.headers("viewer"),
                       json={"template": "status_page"}).status_code == 200
    other = declare(type="service_outage", severity="high")
    assert send(client, people, other, role="viewer").status_code == 403


def test_render_and_send_from_the_command_line(incident, people):
    runner = CliRunner()
    shown = runner.invoke(cli_app, ["comms", "render", incident, "status_update", "--set",
                                    "impact=No live logs", "--set", "actions=Restarted pods",
                                    "--set", "actions=Scaled to 10"])
    assert shown.exit_code == 0, shown.output
    assert shown.output.startswith(f"Subject: INCIDENT UPDATE #1: {incident}")
    assert "- Restarted pods\n- Scaled to 10\n" in shown.output
    sent = runner.invoke(cli_app, ["comms", "send", incident, "user_communication", "--to",
                                   "email:users@example.com", "--as", "responder"])
    assert sent.exit_code == 0, sent.output
    assert "User communication queued for email:users@example.com" in sent.output
    listed = json.loads(runner.invoke(cli_app, ["comms", "list", incident, "--json"]).stdout)
    assert [(m["template"], m["sent_by"]) for m in listed] == [("user_communication",
                                                                "responder")]
