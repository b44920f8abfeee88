"""Silences: matching alerts are stored but open nothing; they stop matching
when they end, and the alerts they held are placed then."""

from __future__ import annotations

from tests.intake.conftest import am_alert
from warroom.worker import Worker


def silence(send, *matchers, minutes=60, **fields):
    body = {"matchers": list(matchers), "comment": "planned failover", **fields}
    if "ends_at" not in fields:
        body["duration_minutes"] = minutes
    answer = send.client.post("/api/v1/silences", json=body, headers=send.headers)
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_a_silenced_alert_is_stored_and_opens_nothing(send):
    made = silence(send, {"name": "alertname", "value": "WebSocketServiceDown"})
    answer = send.alertmanager(am_alert("WebSocketServiceDown", instance="ws-1"))
    assert (answer["held"], answer["incidents_opened"]) == (1, [])
    (stored,) = send.alerts()
    assert (stored["held"], stored["silence_id"], stored["incident"]) == \
        ("silenced", made["id"], None)
    assert send.incidents() == []
    assert made["created_by"] == "responder" and made["state"] == "active"


def test_regex_and_negative_matchers(send):
    silence(send, {"name": "instance", "value": "ws-[0-9]+", "is_regex": True},
            {"name": "env", "value": "production", "is_equal": False})
    answer = send.alertmanager(am_alert("WebSocketHighCPUUsage", instance="ws-12", env="staging"),
                               am_alert("WebSocketHighMemoryUsage", instance="ws-12",
                                        env="production"),
                               am_alert("WebSocketBufferOverflow", instance="edge-1",
                                        env="staging"))
    held = {a["dedup_key"]: a["held"] for a in answer["alerts"]}
    assert sorted(held.values(), key=str) == [None, None, "silenced"]
    assert len(answer["incidents_opened"]) == 2


def test_a_silence_that_has_not_started_does_not_match(send, clock):
    silence(send, {"name": "alertname", "value": "WebSocketServiceDown"},
            starts_at="2026-01-05T13:00:00Z", ends_at="2026-01-05T14:00:00Z")
    answer = send.alertmanager(am_alert("WebSocketServiceDown", instance="ws-1"))
    assert answer["incidents_opened"] == ["INC-1"]
    listed = send.client.get("/api/v1/silences", params={"state": "pending"},
                             headers=send.headers).json()
    assert len(listed) == 1


def test_when_a_silence_ends_the_worker_places_what_it_held(send, clock, database, settings):
    silence(send, {"name": "alertname", "value": "WebSocketServiceDown"}, minutes=30)
    send.alertmanager(am_alert("WebSocketServiceDown", instance="ws-1"))
    worker = Worker(database, settings, clock)
    try:
        worker.run_once()
        assert send.incidents() == []
        clock.advance(minutes=31)
        worker.run_once()
    finally:
        worker.close()
    (incident,) = send.incidents()
    assert incident["declared_at"] == "2026-01-05T12:31:00Z"
    (stored,) = send.alerts()
    assert (stored["held"], stored["incident"]) == (None, "INC-1")


def test_an_expired_silence_stops_matching_new_alerts(send, clock):
    silence(send, {"name": "alertname", "value": "WebSocketServiceDown"}, minutes=30)
    clock.advance(minutes=30)
    answer = send.alertmanager(am_alert("WebSocketServiceDown", instance="ws-1"))
    assert answer["incidents_opened"] == ["INC-1"]


def test_expiring_a_silence_places_the_alerts_it_held_at_once(send):
    made = silence(send, {"name": "alertname", "value": "WebSocketServiceDown"})
    send.alertmanager(am_alert("WebSocketServiceDown", instance="ws-1"))
    answer = send.client.delete(f"/api/v1/silences/{made['id']}", headers=send.headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["state"] == "expired"
    assert [i["id"] for i in send.incidents()] == ["INC-1"]
    again = send.client.delete(f"/api/v1/silences/{made['id']}", headers=send.headers)
    assert again.status_code == 409


def test_a_resolved_alert_held_by_a_silence_is_not_placed_later(send, clock, database,
                                                                 settings):
    silence(send, {"name": "alertname", "value": "WebSocketServiceDown"}, minutes=30)
    alert = am_alert("WebSocketServiceDown", instance="ws-1")
    send.alertmanager(alert)
    send.alertmanager({**alert, "status": "resolved"})
    clock.advance(minutes=31)
    worker = Worker(database, settings, clock)
    try:
        worker.run_once()
    finally:
        worker.close()
    assert send.incidents() == []


def test_silence_input_is_checked(send):
    cases = [
        ({"matchers": [], "duration_minutes": 5, "comment": "x"}, "matchers"),
        ({"matchers": [{"name": "a", "value": "(", "is_regex": True}], "duration_minutes": 5,
          "comment": "x"}, None),
        ({"matchers": [{"name": "a", "value": "b"}], "comment": "x"}, None),
        ({"matchers": [{"name": "a", "value": "b"}], "duration_minutes": 5}, "comment"),
        ({"matchers": [{"name": "a", "value": "b"}], "comment": "x",
          "starts_at": "2026-01-05T15:00:00Z", "ends_at": "2026-01-05T14:00:00Z"}, None),
    ]
    for body, field in cases:
        answer = send.client.post("/api/v1/silences", json=body, headers=send.headers)
        assert answer.status_code == 422, (body, answer.text)
        if field:
            assert answer.json()["errors"][0]["field"] == field
    assert send.client.get("/api/v1/silences", headers=send.headers).json() == []


def test_viewers_may_list_but_not_silence(client, people):
    body = {"matchers": [{"name": "a", "value": "b"}], "duration_minutes": 5, "comment": "x"}
    assert client.post("/api/v1/silences", json=body,
                       headers=people.headers("viewer")).status_code == 403
    assert client.get("/api/v1/silences", headers=people.headers("viewer")).status_code == 200


# --- how far a responder may reach; commanders may go further ------------------

def attempt(client, headers, *matchers, minutes=60):
    body = {"matchers": list(matchers), "comment": "quiet please", "duration_minutes": minutes}
    return client.post("/api/v1/silences", json=body, headers=headers)


def assert_needs_commander(answer, reason):
    assert answer.status_code == 403, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    detail = answer.json()["detail"]
    assert reason in detail and "commander" in detail and "silence:broad" in detail


def test_a_responder_may_not_silence_every_alert(client, people):
    catch_alls = [[{"name": "alertname", "value": ".*", "is_regex": True}],
                  [{"name": "alertname", "value": ".+", "is_regex": True}],
                  [{"name": "env", "value": "production", "is_equal": False}],
                  [{"name": "team", "value": ""}]]
    for matchers in catch_alls:
        answer = attempt(client, people.headers("responder"), *matchers)
        assert_needs_commander(answer, "every alert")
        assert attempt(client, people.headers("commander"), *matchers).status_code == 201


def test_a_responder_may_not_silence_past_the_maximum(client, people):
    narrow = {"name": "alertname", "value": "WebSocketServiceDown"}
    answer = attempt(client, people.headers("responder"), narrow, minutes=60 * 24 * 366)
    assert_needs_commander(answer, "24 h")
    assert attempt(client, people.headers("responder"), narrow,
                   minutes=60 * 24).status_code == 201
    assert attempt(client, people.headers("commander"), narrow,
                   minutes=60 * 24 * 366).status_code == 201


def test_the_maximum_is_a_setting(client, people, monkeypatch):
    monkeypatch.setenv("WARROOM_SILENCE_MAX_HOURS", "2")
    from warroom import config

    config.reset()
    narrow = {"name": "alertname", "value": "WebSocketServiceDown"}
    assert_needs_commander(attempt(client, people.headers("responder"), narrow, minutes=121),
                           "2 h")
    assert attempt(client, people.headers("responder"), narrow, minutes=120).status_code == 201


def test_a_responder_may_not_silence_sev1_alerts(send, client, people):
    send.alertmanager(am_alert("DiskFull", instance="db-1", severity="critical"))
    answer = attempt(client, people.headers("responder"),
                     {"name": "alertname", "value": "DiskFull"})
    assert_needs_commander(answer, "sev1")
    named = attempt(client, people.headers("responder"), {"name": "alertname", "value": "Other"},
                    {"name": "severity", "value": "critical|page", "is_regex": True})
    assert_needs_commander(named, "sev1")
    assert attempt(client, people.headers("responder"),
                   {"name": "alertname", "value": "Other"},
                   {"name": "severity", "value": "warning"}).status_code == 201
    assert attempt(client, people.headers("commander"),
                   {"name": "alertname", "value": "DiskFull"}).status_code == 201
