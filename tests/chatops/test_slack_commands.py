"""/wr from Slack (HTTP mode): signed requests, identity by email, the
commands run as the linked user with the API's permissions, and what is
posted back going through the outbox to a fake Slack Web API."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlencode

from sqlalchemy import select

from tests.chatops.conftest import sign
from warroom.chatops.channel import CHANNEL, take_receipt
from warroom.chatops.models import ChatIdentity
from warroom.incidents import service as incidents
from warroom.incidents import timeline
from warroom.notify import service as outbox
from warroom.notify.channels.base import Envelope


def incident(database, ref="INC-1"):
    with database.read() as session:
        return incidents.get_by_ref(session, ref=ref)


def chat_messages(database, kind=None):
    with database.read() as session:
        return [m for m in outbox.get_all(session, kind=kind) if m.channel == "slack_api"]


def test_a_request_without_a_valid_recent_signature_is_refused(chat, client, clock):
    body = urlencode({"command": "/wr", "text": "help", "user_id": "U_ADMIN"}).encode()
    now = int(clock.now().timestamp())
    url = "/api/v1/chatops/slack/commands"

    forged = client.post(url, content=body, headers=sign(body, now, secret="not-the-secret"))
    assert forged.status_code == 401
    assert "signature does not match" in forged.json()["detail"]

    stale = client.post(url, content=body, headers=sign(body, now - 6 * 60))
    assert stale.status_code == 401
    assert "more than 5 minutes old" in stale.json()["detail"]

    tampered = sign(body, now)
    answer = client.post(url, content=body.replace(b"help", b"hel0"), headers=tampered)
    assert answer.status_code == 401

    bare = client.post(url, content=body, headers={"Content-Type":
                                                   "application/x-www-form-urlencoded"})
    assert bare.status_code == 400
    assert "not a Slack request" in bare.json()["detail"]
    for route in ("/api/v1/chatops/slack/interactions",):
        assert client.post(route, content=body, headers=sign(body, now, "x")).status_code == 401

    assert chat.command("U_ADMIN", "help").status_code == 200
    clock.advance(minutes=4)  # within the window by the warroom clock
    assert client.post(url, content=body, headers=sign(body, now)).status_code == 200


def test_declare_from_the_slash_command_opens_the_incident_and_posts_it(
        chat, database, slack, worker):
    answer = chat.command("U_RESPONDER", "declare sev2 service_outage Checkout is down")
    assert answer.status_code == 200, answer.text
    assert answer.content == b""  # the announcement goes to the channel, by the outbox

    declared = incident(database)
    assert (declared.severity, declared.type, declared.title, declared.source) == (
        "sev2", "service_outage", "Checkout is down", "slack")
    assert declared.created_by == "responder (slack U_RESPONDER)"

    worker.deliver_due()
    (posted,) = slack.of("chat.postMessage")
    assert posted.authorization == "Bearer xoxb-test-token"
    assert posted.body["channel"] == "C_INCIDENTS"
    actions = next(b for b in posted.body["blocks"] if b["type"] == "actions")["elements"]
    assert actions[0]["action_id"] == "wr:ack" and actions[0]["value"] == "INC-1"
    assert [c.body["user"] for c in slack.of("users.info")] == ["U_RESPONDER"]


def test_a_bad_severity_or_type_is_an_ephemeral_sentence_and_nothing_is_declared(
        chat, database):
    answer = chat.command("U_RESPONDER", "declare sev9 service_outage Checkout is down").json()
    assert answer["response_type"] == "ephemeral"
    assert "'sev9' is not a valid severity" in answer["text"] and "sev1" in answer["text"]
    answer = chat.command("U_RESPONDER", "declare sev2 outage Checkout is down").json()
    assert "incident type" in answer["text"] and "service_outage" in answer["text"]
    answer = chat.command("U_RESPONDER", "declare sev2").json()
    assert answer["text"].startswith("Usage: `/wr declare")
    assert incident(database) is None
    assert chat_messages(database) == []


def test_ack_from_the_command_records_both_names_and_edits_the_announcement(
        chat, database, slack, worker):
    chat.command("U_RESPONDER", "declare sev1 service_outage Payments failing")
    worker.deliver_due()
    (announced,) = slack.of("chat.postMessage")

    assert chat.command("U_COMMANDER", "ack INC-1").status_code == 200
    acked = incident(database)
    assert acked.acknowledged_by == "commander (slack U_COMMANDER)"
    assert acked.phase == "triage"
    with database.read() as session:
        (event,) = timeline.get_all(session, incident_id=acked.id, kind="ack")
    assert event.actor == "commander (slack U_COMMANDER)"

    worker.deliver_due()
    (edit,) = slack.of("chat.update")
    assert edit.body["ts"] == "1700000000.000001"
    assert edit.body["channel"] == announced.body["channel"]
    shown = json.dumps(edit.body["blocks"])
    assert "Acknowledged by commander (slack U_COMMANDER)" in shown
    assert "wr:ack" not in shown and "triage" in shown
    again = chat.command("U_ADMIN", "ack INC-1").json()
    assert "already acknowledged by commander" in again["text"]


def test_an_acknowledgement_from_the_api_edits_the_slack_message_too(
        chat, client, people, database, slack, worker):
    chat.command("U_RESPONDER", "declare sev2 service_outage Search slow")
    worker.deliver_due()
    answer = client.post("/api/v1/incidents/INC-1/acknowledge", headers=people.headers("admin"))
    assert answer.status_code == 200
    worker.deliver_due()
    (edit,) = slack.of("chat.update")
    assert "Acknowledged by admin" in json.dumps(edit.body["blocks"])


def test_an_acknowledgement_before_the_announcement_is_delivered_is_applied_after(
        chat, database, slack, worker):
    chat.command("U_RESPONDER", "declare sev2 service_outage Search slow")
    chat.command("U_RESPONDER", "ack INC-1")
    worker.deliver_due()  # the announcement, then (with its ts now known) the edit
    worker.deliver_due()
    assert len(slack.of("chat.update")) == 1


def test_an_unlinked_user_can_read_but_not_act(chat, database, slack):
    chat.command("U_RESPONDER", "declare sev3 service_outage Slow emails")
    status = chat.command("U_STRANGER", "status").json()
    assert status["response_type"] == "ephemeral"
    assert "INC-1" in status["text"] and "Slow emails" in status["text"]
    assert "INC-1" in chat.command("U_STRANGER", "status INC-1").json()["text"]
    assert "Roles on INC-1" in chat.command("U_STRANGER", "roles INC-1").json()["text"]
    assert "declared" in chat.command("U_STRANGER", "timeline INC-1").json()["text"]

    refused = chat.command("U_STRANGER", "ack INC-1").json()
    assert "not linked to a warroom user" in refused["text"]
    assert "not linked" in chat.command("U_STRANGER", "declare sev3 service_outage X").json()[
        "text"]
    assert incident(database).acknowledged_at is None
    assert incident(database, "INC-2") is None
    with database.read() as session:
        row = session.scalar(select(ChatIdentity).where(ChatIdentity.external_id ==
                                                        "U_STRANGER"))
    assert (row.email, row.user_id) == ("stranger@example.com", None)


def test_the_link_is_cached_so_slack_is_asked_once(chat, slack):
    for _ in range(3):
        chat.command("U_VIEWER", "status")
    assert len(slack.of("users.info")) == 1


def test_slack_being_away_keeps_the_last_link_and_remembers_no_new_one(chat, slack, clock):
    chat.command("U_RESPONDER", "help")
    slack.down = True
    clock.advance(hours=25)  # the link is due to be checked again
    assert "not linked" not in chat.command("U_RESPONDER", "help").json()["text"]
    assert "not linked" in chat.command("U_ADMIN", "help").json()["text"]
    slack.down = False
    assert "not linked" not in chat.command("U_ADMIN", "help").json()["text"]


def test_permissions_are_the_apis(chat, client, people, database):
    refused = chat.command("U_VIEWER", "declare sev2 service_outage Checkout is down").json()
    assert "needs the 'incident:write' permission" in refused["text"]
    api = client.post("/api/v1/incidents", headers=people.headers("viewer"), json={
        "type": "service_outage", "severity": "sev2", "title": "Checkout is down"})
    assert api.status_code == 403 and "incident:write" in api.json()["detail"]
    assert incident(database) is None

    chat.command("U_RESPONDER", "declare sev2 service_outage Checkout is down")
    chat.command("U_COMMANDER", "help")  # links the commander
    refused = chat.command("U_RESPONDER", "assign INC-1 incident_commander <@U_COMMANDER>")
    assert "needs the 'incident:command' permission" in refused.json()["text"]
    done = chat.command("U_ADMIN", "assign INC-1 incident_commander <@U_COMMANDER|commander>")
    assert done.status_code == 200 and done.content == b""
    roles = chat.command("U_VIEWER", "roles INC-1").json()["text"]
    assert "(`incident_commander`): commander, backup -" in roles


def test_phase_offers_only_the_legal_next_phases(chat, database):
    chat.command("U_RESPONDER", "declare sev2 service_outage Checkout is down")
    answer = chat.command("U_RESPONDER", "phase INC-1 recovery").json()["text"]
    assert "INC-1 is in detection; it can move to" in answer
    assert "`triage`" in answer and "recovery`" not in answer.split("move to")[1]
    assert chat.command("U_RESPONDER", "phase INC-1 triage looking").content == b""
    assert incident(database).phase == "triage"
    unknown = chat.command("U_RESPONDER", "phase INC-1 nowhere").json()["text"]
    assert unknown.startswith("INC-1 is in triage; it can move to")


def test_note_goes_on_the_timeline_as_the_linked_user(chat, database, slack, worker):
    chat.command("U_RESPONDER", "declare sev2 service_outage Checkout is down")
    assert chat.command("U_RESPONDER", "note INC-1 rolled back the deploy").content == b""
    with database.read() as session:
        (note,) = timeline.get_all(session, incident_id=incident(database).id, kind="note")
    assert (note.summary, note.actor) == ("rolled back the deploy",
                                          "responder (slack U_RESPONDER)")
    worker.deliver_due()
    texts = [c.body["text"] for c in slack.of("chat.postMessage")]
    assert "INC-1 note by responder (slack U_RESPONDER): rolled back the deploy" in texts


def test_the_acknowledge_button_acknowledges_as_the_presser(chat, client, clock, database):
    chat.command("U_RESPONDER", "declare sev2 service_outage Checkout is down")
    payload = {"type": "block_actions", "user": {"id": "U_COMMANDER", "username": "c"},
               "channel": {"id": "C_INCIDENTS"}, "team": {"id": "T1"},
               "actions": [{"action_id": "wr:ack", "value": "INC-1"}]}
    body = urlencode({"payload": json.dumps(payload)}).encode()
    answer = client.post("/api/v1/chatops/slack/interactions", content=body,
                         headers=sign(body, int(clock.now().timestamp())))
    assert answer.status_code == 200
    assert incident(database).acknowledged_by == "commander (slack U_COMMANDER)"


def test_the_outbox_waits_out_slacks_429_and_then_delivers(chat, database, slack, worker,
                                                           clock):
    slack.rate_limit["chat.postMessage"] = 1
    chat.command("U_RESPONDER", "declare sev2 service_outage Checkout is down")
    worker.deliver_due()
    (message,) = chat_messages(database)
    assert message.status == "pending" and message.attempts == 1
    assert message.last_error == "Slack chat.postMessage: ratelimited"
    assert message.next_attempt_at >= clock.now() + timedelta(seconds=30)

    clock.advance(seconds=29)
    worker.deliver_due()
    assert len(slack.of("chat.postMessage")) == 1  # not before Retry-After
    clock.advance(minutes=5)
    worker.deliver_due()
    (message,) = chat_messages(database)
    assert message.status == "sent"
    assert len(slack.of("chat.postMessage")) == 2


def test_a_channel_slack_does_not_know_is_dead_lettered_at_once(chat, database, slack,
                                                                worker):
    chat.command("U_RESPONDER", "declare sev2 service_outage Checkout is down",
                 channel="C_GONE")
    worker.deliver_due()
    (message,) = chat_messages(database)
    assert (message.status, message.attempts) == ("dead", 1)
    assert message.last_error == "Slack chat.postMessage: channel_not_found"


def test_a_drill_says_so_in_slack(slack, settings):
    envelope = Envelope(id=1, key="k", kind="chat_message", channel="slack_api",
                        destination=slack.url, subject=None, body="INC-1 moved",
                        payload={"method": "chat.postMessage", "args": {
                            "channel": "C1", "text": "INC-1 moved", "blocks": [
                                {"type": "section", "text": {"type": "mrkdwn",
                                                             "text": "*INC-1*"}}]}},
                        headers={outbox.DRILL_HEADER: "1"})
    assert CHANNEL.send(envelope, settings).ok
    (posted,) = slack.of("chat.postMessage")
    assert posted.body["text"] == "[DRILL] INC-1 moved"
    assert posted.body["blocks"][0]["text"]["text"] == "[DRILL] *INC-1*"
    assert take_receipt("k") == ("C1", "1700000000.000001")
