"""Incident channels: created on declaration through the outbox, set up once
Slack has answered with the channel's id, kept up to date, told the key
events, never flooded by an alert storm, archived after close."""

from __future__ import annotations

import pytest

from warroom import config
from warroom.chatops import channel_names
from warroom.db import Actor
from warroom.intake import service as intake
from warroom.intake.sources.alert import IncomingAlert, fingerprint

SENDER = Actor(name="prometheus", kind="integration")


@pytest.fixture
def channels(slack, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("WARROOM_SLACK_INCIDENT_CHANNELS", "sev1,sev2")
    config.reset()
    return slack


def deliver(worker, times: int = 4) -> None:
    for _ in range(times):
        worker.deliver_due()


def test_names_follow_slacks_rules():
    assert channel_names.for_incident(42, "WebSocket outage!") == "inc-42-websocket-outage"
    long = channel_names.for_incident(7, "Ünïcode " + "x" * 200)
    assert len(long) <= 80 and long.startswith("inc-7-")
    assert channel_names.for_incident(3, "!!!") == "inc-3"
    assert channel_names.suffixed("inc-1-" + "a" * 80, 2).endswith("-2")
    assert len(channel_names.suffixed("inc-1-" + "a" * 80, 12)) == 80


def test_declaring_creates_and_sets_up_the_incident_channel(chat, channels, worker):
    chat.command("U_COMMANDER", "help")  # links the commander
    channels.taken.add("inc-1-websocket-outage")
    chat.command("U_RESPONDER", "declare sev1 service_outage WebSocket outage")
    chat.command("U_ADMIN", "assign INC-1 incident_commander <@U_COMMANDER>")
    deliver(worker)

    (created,) = channels.channels.values()
    assert created["name"] == "inc-1-websocket-outage-2"  # name_taken: suffixed
    assert created["is_private"] is False
    assert created["members"] == ["U_COMMANDER"]
    assert created["topic"] == "sev1 · detection · commander commander"
    (control,) = [c for c in channels.of("chat.postMessage")
                  if c.body["channel"] == created["id"]]
    actions = next(b for b in control.body["blocks"] if b["type"] == "actions")["elements"]
    assert [a["action_id"] for a in actions] == ["wr:ack", "wr:open"]
    assert len(created["pins"]) == 1
    links = dict(created["bookmarks"])
    assert set(links) == {"INC-1 in warroom", "Status page", "Playbook"}
    assert links["INC-1 in warroom"].endswith("/incidents/INC-1")
    assert links["Status page"].endswith("/status")

    chat.command("U_COMMANDER", "ack INC-1")
    deliver(worker)
    assert created["topic"] == "sev1 · triage · commander commander"
    edits = [c for c in channels.of("chat.update") if c.body["channel"] == created["id"]]
    assert edits and "Acknowledged by commander" in str(edits[-1].body["blocks"])
    lines = [c.body["text"] for c in channels.of("chat.postMessage")
             if c.body["channel"] == created["id"]]
    assert "INC-1 acknowledged by commander (slack U_COMMANDER)" in lines
    assert "INC-1 moved to triage" in lines


def test_a_security_incident_gets_a_private_channel_and_a_sev3_none(chat, channels, worker):
    chat.command("U_RESPONDER", "declare sev2 security_breach Leaked keys")
    chat.command("U_RESPONDER", "declare sev3 service_outage Slow emails")
    deliver(worker)
    (created,) = channels.channels.values()
    assert (created["name"], created["is_private"]) == ("inc-1-leaked-keys", True)


def test_the_channel_is_archived_days_after_close(chat, channels, worker, clock, database):
    chat.command("U_RESPONDER", "declare sev2 service_outage Checkout down")
    deliver(worker)
    (created,) = channels.channels.values()
    for phase in ("triage", "containment", "eradication", "recovery", "lessons_learned",
                  "closed"):
        chat.command("U_ADMIN", f"phase INC-1 {phase}")
    worker.run_once()
    assert created["is_archived"] is False
    clock.advance(days=6, hours=23)
    worker.run_once()
    assert created["is_archived"] is False
    clock.advance(hours=2)
    worker.run_once()
    deliver(worker)
    assert created["is_archived"] is True
    assert len(channels.of("conversations.archive")) == 1


def storm(database, clock, names: range) -> None:
    with database.unit_of_work(SENDER, clock=clock) as uow:
        intake.receive(uow, source="generic", alerts=[
            IncomingAlert(dedup_key=fingerprint(tags), name="WebSocketDown", status="firing",
                          labels=tags, severity="sev1")
            for tags in ({"alertname": "WebSocketDown", "instance": f"ws-{n}"}
                         for n in names)])


def test_a_10000_alert_storm_posts_a_bounded_number_of_messages(
        channels, worker, database, clock):
    storm(database, clock, range(1))
    deliver(worker)
    (created,) = channels.channels.values()
    before = len(channels.calls)
    for minute in range(5):  # 10,000 alerts over five minutes, the worker turning
        storm(database, clock, range(1 + minute * 2000, 1 + (minute + 1) * 2000))
        for _ in range(3):
            worker.run_once()
            clock.advance(seconds=20)
    worker.run_once()
    deliver(worker)
    with database.read() as session:
        assert intake.get_all(session, filters=intake.Filters(incident=1), limit=0)[1] == 10001
    into = [c for c in channels.calls[before:] if c.body.get("channel") == created["id"]]
    posted = [c for c in into if c.method == "chat.postMessage"]
    edited = [c for c in into if c.method == "chat.update"]
    assert len(posted) <= 2, [c.body["text"] for c in posted]  # one summary (+ one event)
    assert len(edited) <= 7  # one edit a minute at most
    assert len(into) <= 12
    assert "10001 alerts on INC-1" in (edited or posted)[-1].body["text"]


def test_the_digest_channel_keeps_one_message_per_incident_edited(
        chat, slack, worker, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("WARROOM_SLACK_DIGEST_CHANNEL", "C_DIGEST")
    config.reset()
    chat.command("U_RESPONDER", "declare sev3 service_outage Slow emails")
    chat.command("U_RESPONDER", "declare sev2 service_outage Checkout down")
    deliver(worker)
    chat.command("U_ADMIN", "ack INC-1")
    chat.command("U_ADMIN", "phase INC-1 containment")
    deliver(worker)
    posted = [c for c in slack.of("chat.postMessage") if c.body["channel"] == "C_DIGEST"]
    # the worker sends in parallel, so the two posts may leave in either order
    assert sorted(c.body["text"].split()[0] for c in posted) == ["INC-1", "INC-2"]
    edits = [c for c in slack.of("chat.update") if c.body["channel"] == "C_DIGEST"]
    assert "containment" in edits[-1].body["text"]
    assert all(c.body["ts"] == edits[0].body["ts"] for c in edits)


def test_a_quiet_critical_incident_and_unclaimed_roles_are_reminded_hourly(
        chat, channels, worker, clock):
    chat.command("U_RESPONDER", "declare sev1 service_outage Payments failing")
    deliver(worker)
    (created,) = channels.channels.values()

    def reminders() -> list[str]:
        return [c.body["text"] for c in channels.of("chat.postMessage")
                if c.body["channel"] == created["id"] and (
                    ":hourglass:" in c.body["text"] or ":busts_in_silhouette:" in
                    c.body["text"])]

    clock.advance(minutes=59)
    worker.run_once()
    assert reminders() == []
    clock.advance(minutes=2)
    worker.run_once()
    deliver(worker)
    (first,) = reminders()
    assert "No update on INC-1 for 61 min" in first and "every 60 min" in first
    assert "Incident Commander (`incident_commander`)" in first
    assert "communications_lead" in first
    clock.advance(minutes=30)
    worker.run_once()
    deliver(worker)
    assert len(reminders()) == 1  # once per cadence, not per cycle
    chat.command("U_COMMANDER", "help")
    chat.command("U_ADMIN", "assign INC-1 incident_commander <@U_COMMANDER>")
    chat.command("U_ADMIN", "assign INC-1 communications_lead <@U_COMMANDER>")
    clock.advance(minutes=61)
    worker.run_once()
    deliver(worker)
    second = reminders()[-1]
    assert len(reminders()) == 2 and "Nobody holds" not in second
