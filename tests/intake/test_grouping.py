"""Grouping: alerts of one group share an incident; severity only rises;
resolution is noted (and may move to recovery); re-fires open linked
incidents; a group that keeps re-firing is flapping."""

from __future__ import annotations

from tests.intake.conftest import am_alert


def close(send, ref):
    """Walk the incident to closed (past any playbook gate, as a commander may)."""
    for phase in ("triage", "recovery", "lessons_learned", "closed"):
        answer = send.client.post(f"/api/v1/incidents/{ref}/transition",
                                  json={"phase": phase, "override_reason": "test"},
                                  headers=send.admin)
        assert answer.status_code == 200, answer.text


def test_alerts_of_one_group_attach_to_its_open_incident(send, clock):
    send.alertmanager(am_alert("WebSocketServiceDown", instance="ws-1"))
    clock.advance(minutes=1)
    answer = send.alertmanager(am_alert("WebSocketServiceDown", instance="ws-2"))
    assert (answer["incidents_opened"], answer["incidents_attached"]) == ([], ["INC-1"])
    assert len(send.incidents()) == 1
    events = send.timeline("INC-1", kind="alert")
    assert events[-1]["summary"] == \
        "WebSocketServiceDown (instance=ws-2, job=websocket-service) joined"
    assert events[-1]["data"]["alerts"][0]["labels"]["instance"] == "ws-2"
    assert {a["incident"] for a in send.alerts()} == {"INC-1"}


def test_each_attachment_is_its_own_timeline_event(send):
    for n in range(3):
        send.generic({"name": "QueueBacklog", "labels": {"queue": f"q{n}"}})
    summaries = [e["summary"] for e in send.timeline("INC-1", kind="alert")]
    assert summaries == ["Opened by QueueBacklog (queue=q0) (routing rule fallback)",
                         "QueueBacklog (queue=q1) joined", "QueueBacklog (queue=q2) joined"]


def test_another_group_opens_another_incident(send):
    send.alertmanager(am_alert("WebSocketServiceDown", instance="ws-1"))
    answer = send.alertmanager(am_alert("WebSocketServiceDown", instance="ws-1",
                                        job="websocket-edge"))
    assert answer["incidents_opened"] == ["INC-2"]


def test_a_more_severe_alert_joining_raises_the_incident(send):
    send.generic({"name": "Replication", "severity": "low", "labels": {"db": "a"}})
    send.generic({"name": "Replication", "severity": "critical", "labels": {"db": "b"}})
    assert send.incident("INC-1")["severity"] == "sev1"
    (raised,) = send.timeline("INC-1", kind="severity")
    assert raised["summary"] == \
        "Severity raised from sev4 to sev1: alert Replication (sev1) joined"
    # the timeline tells it in order: the alert joined, then the severity rose
    told = [(e["kind"], e["summary"]) for e in send.timeline("INC-1")
            if e["kind"] in ("alert", "severity")]
    assert told[-2:] == [("alert", "Replication (db=b) joined"),
                         ("severity", raised["summary"])]


def test_a_less_severe_alert_joining_never_lowers_it(send):
    send.generic({"name": "Replication", "severity": "high", "labels": {"db": "a"}})
    send.generic({"name": "Replication", "severity": "low", "labels": {"db": "b"}})
    assert send.incident("INC-1")["severity"] == "sev2"
    assert send.timeline("INC-1", kind="severity") == []


def test_all_resolved_moves_to_recovery_when_the_rule_says_so(send, clock):
    send.alertmanager(am_alert("WebSocketServiceDown", instance="ws-1"),
                      am_alert("WebSocketServiceDown", instance="ws-2"))
    send.client.post("/api/v1/incidents/INC-1/acknowledge", headers=send.admin)
    send.alertmanager(am_alert("WebSocketServiceDown", "resolved", instance="ws-1"))
    assert send.incident("INC-1")["phase"] == "triage"
    clock.advance(minutes=3)
    send.alertmanager(am_alert("WebSocketServiceDown", "resolved", instance="ws-2"))
    incident = send.incident("INC-1")
    assert incident["phase"] == "recovery"
    assert incident["contained_at"] == "2026-01-05T12:03:00Z"
    assert send.timeline("INC-1", kind="phase")[-1]["summary"] == \
        "Phase triage -> recovery: every alert resolved"


def test_all_resolved_only_notes_it_when_the_rule_says_note(send):
    send.alertmanager(am_alert("WebSocketSuspiciousConnections", instance="ws-1"))
    send.client.post("/api/v1/incidents/INC-1/acknowledge", headers=send.admin)
    send.alertmanager(am_alert("WebSocketSuspiciousConnections", "resolved", instance="ws-1"))
    assert send.incident("INC-1")["phase"] == "triage"
    assert send.timeline("INC-1", kind="alert")[-1]["summary"] == \
        "All alerts of INC-1 have resolved"


def test_resolution_never_closes_an_incident(send):
    send.alertmanager(am_alert("WebSocketServiceDown", instance="ws-1"))
    send.alertmanager(am_alert("WebSocketServiceDown", "resolved", instance="ws-1"))
    incident = send.incident("INC-1")
    assert incident["phase"] == "detection" and incident["closed_at"] is None
    assert "recovery cannot be entered from detection" in \
        send.timeline("INC-1", kind="alert")[-1]["summary"]


def test_a_refire_after_close_opens_a_new_linked_incident(send, clock):
    alert = am_alert("WebSocketHighCPUUsage", pod="ws-0")
    send.alertmanager(alert)
    send.alertmanager({**alert, "status": "resolved"})
    close(send, "INC-1")
    clock.advance(minutes=20)
    answer = send.alertmanager(alert)
    assert (answer["refired"], answer["incidents_opened"]) == (1, ["INC-2"])
    assert send.incident("INC-2")["related"] == [{"incident": "INC-1", "kind": "recurrence"}]
    (stored,) = send.alerts()
    assert (stored["fire_count"], stored["incident"], stored["resolved_at"]) == (2, "INC-2", None)


def test_a_refire_while_the_incident_is_open_attaches_again(send):
    alert = am_alert("WebSocketHighCPUUsage", pod="ws-0")
    send.alertmanager(alert)
    send.alertmanager({**alert, "status": "resolved"})
    answer = send.alertmanager(alert)
    assert answer["incidents_attached"] == ["INC-1"]
    assert send.timeline("INC-1", kind="alert")[-1]["summary"].endswith("fired again")


def test_an_alert_still_firing_after_close_opens_nothing(send):
    alert = am_alert("WebSocketHighCPUUsage", pod="ws-0")
    send.alertmanager(alert)
    close(send, "INC-1")
    answer = send.alertmanager(alert)
    assert (answer["repeated"], answer["incidents_opened"]) == (1, [])


def test_refiring_again_and_again_marks_the_group_flapping(send, clock):
    alert = am_alert("WebSocketBufferOverflow", instance="ws-1")
    send.alertmanager(alert)
    opened = []
    for _ in range(3):
        send.alertmanager({**alert, "status": "resolved"})
        close(send, f"INC-{len(opened) + 1}")
        clock.advance(minutes=5)
        opened.append(send.alertmanager(alert))
    assert [a["incidents_opened"] for a in opened] == [["INC-2"], ["INC-3"], []]
    assert opened[2]["alerts"][0]["held"] == "flapping"
    (group,) = send.client.get("/api/v1/alert-groups", headers=send.headers).json()
    assert (group["flapping"], group["refires_in_window"]) == (True, 3)
    notes = [e["summary"] for e in send.timeline("INC-3", kind="alert")]
    assert "Flapping: this alert group fired again 3 times within 60 min" in notes
    assert notes[-1].endswith("fired again while the group is flapping; no new incident "
                              "was opened")


def test_a_quiet_window_ends_flapping(send, clock):
    alert = am_alert("WebSocketBufferOverflow", instance="ws-1")
    send.alertmanager(alert)
    for n in range(3):
        send.alertmanager({**alert, "status": "resolved"})
        if n < 2:
            close(send, f"INC-{n + 1}")
        clock.advance(minutes=5)
        send.alertmanager(alert)
    close(send, "INC-3")
    send.alertmanager({**alert, "status": "resolved"})
    clock.advance(minutes=61)
    answer = send.alertmanager(alert)
    assert answer["incidents_opened"] == ["INC-4"]
    (group,) = send.client.get("/api/v1/alert-groups", headers=send.headers).json()
    assert group["flapping"] is False
