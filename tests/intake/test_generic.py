"""The generic receiver: one simple JSON shape for any tool."""

from __future__ import annotations


def test_a_generic_alert_opens_an_incident_with_its_own_severity(send):
    answer = send.generic({"name": "DiskAlmostFull", "severity": "high",
                           "summary": "db-1 disk 95% full", "labels": {"instance": "db-1"}})
    assert answer["incidents_opened"] == ["INC-1"]
    assert answer["alerts"][0]["rule"] == "fallback"
    incident = send.incident("INC-1")
    assert (incident["severity"], incident["title"]) == ("sev2", "db-1 disk 95% full")


def test_without_a_severity_the_fallback_rule_says_sev4(send):
    send.generic({"name": "CertificateExpiresSoon"})
    assert send.incident("INC-1")["severity"] == "sev4"


def test_a_generic_alert_with_a_seed_name_follows_the_seed_rule(send):
    send.generic({"name": "DataExportWithoutConsent", "severity": "low"})
    incident = send.incident("INC-1")
    assert (incident["type"], incident["severity"]) == ("compliance_violation", "sev1")


def test_a_list_of_alerts_is_one_delivery(send):
    answer = send.generic([{"name": "QueueBacklog", "labels": {"queue": "a"}},
                           {"name": "QueueBacklog", "labels": {"queue": "b"}}])
    assert (answer["received"], answer["new"], answer["incidents_opened"]) == (2, 2, ["INC-1"])


def test_the_dedup_key_identifies_the_alert_across_label_changes(send):
    send.generic({"name": "Backup", "dedup_key": "backup-db-1", "labels": {"try": "1"}})
    again = send.generic({"name": "Backup", "dedup_key": "backup-db-1", "labels": {"try": "2"}})
    assert (again["new"], again["repeated"]) == (0, 1)
    (stored,) = send.alerts()
    assert stored["dedup_key"] == "backup-db-1"
    # the first labels stay (routing and grouping saw those); the change is noted
    assert stored["labels"]["try"] == "1"
    assert "try: 1 -> 2" in send.timeline("INC-1", kind="alert")[-1]["summary"]


def test_resolving_by_dedup_key(send):
    send.generic({"name": "Backup", "dedup_key": "backup-db-1"})
    answer = send.generic({"name": "Backup", "dedup_key": "backup-db-1", "status": "resolved"})
    assert answer["resolved"] == 1
    assert send.alerts()[0]["status"] == "resolved"


def test_an_unknown_severity_is_422_listing_the_valid_ones(send):
    answer = send.client.post("/api/v1/alerts/generic", json={"name": "X", "severity": "urgent"},
                              headers=send.headers)
    assert answer.status_code == 422
    detail = answer.json()["detail"]
    assert "severity" in detail and "sev1" in detail and "critical" in detail
    assert send.alerts() == []


def test_unknown_fields_are_422(send):
    answer = send.client.post("/api/v1/alerts/generic", json={"name": "X", "sevrity": "high"},
                              headers=send.headers)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "sevrity"


def test_a_missing_name_is_422_naming_it(send):
    answer = send.client.post("/api/v1/alerts/generic", json=[{"name": "A"}, {"summary": "b"}],
                              headers=send.headers)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "1.name"
    assert send.alerts() == []


def test_a_time_without_zone_is_422(send):
    answer = send.client.post("/api/v1/alerts/generic",
                              json={"name": "X", "started_at": "2026-01-05T11:00:00"},
                              headers=send.headers)
    assert answer.status_code == 422
    assert "time zone" in answer.json()["detail"]


def test_a_start_time_in_the_future_does_not_lose_the_alert(send):
    answer = send.generic({"name": "ClockSkew", "started_at": "2027-01-01T00:00:00Z"})
    assert answer["incidents_opened"] == ["INC-1"]
    assert send.incident("INC-1")["started_at"] == "2026-01-05T12:00:00Z"
