"""Switches and times are taken only as written: a boolean is JSON true or
false, a time an ISO 8601 string with a time zone. Walked over every request
schema in the OpenAPI document, so a field added later is held to it too."""

from __future__ import annotations

from typing import Any

import pytest

from tests.core.test_nul_everywhere import _concrete, _operations, _poisoned, _strings, world
from tests.intake.conftest import am_alert, am_webhook

__all__ = ["world"]
NOT_SWITCHES = ["yes", "true", 0, 1, None]
NOT_TIMES = [0, 1_700_000_000, "1700000000", "0", True]


def _switch(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "boolean"


def _time(schema: dict[str, Any]) -> bool:
    return schema.get("format") == "date-time"


PAGERDUTY_SHAPED = {"/v2/enqueue", "/v2/change/enqueue"}


def _walk(client, people, world, wanted, bad_values: list[Any]) -> tuple[int, list[str]]:
    doc = client.app.openapi()
    failures, sent = [], 0
    for method, path, schema in _operations(doc):
        for where_path, _ in _strings(doc, schema, (), wanted=wanted, keys=False):
            for bad in bad_values:
                body = _poisoned(doc, schema, where_path, "value", bad)
                answer = client.request(method, _concrete(path, world), json=body,
                                        headers=people.admin)
                sent += 1
                field = ".".join(str(part) for part in where_path)
                if path in PAGERDUTY_SHAPED:  # PagerDuty's own answer: 400 naming the field
                    refused = answer.status_code == 400 and field in answer.text
                else:
                    refused = answer.status_code == 422 and field in answer.json()["detail"]
                if not refused:
                    failures.append(f"{method} {path} {field}={bad!r}: {answer.status_code} "
                                    f"{answer.text[:100]}")
    return sent, failures


def test_every_switch_in_a_request_is_true_or_false(client, people, world):
    sent, failures = _walk(client, people, world, _switch,
                           [v for v in NOT_SWITCHES if v is not None])
    assert sent > 40
    assert not failures, "\n".join(failures)


def test_every_time_in_a_request_is_an_iso_8601_string(client, people, world):
    sent, failures = _walk(client, people, world, _time, NOT_TIMES)
    assert sent > 40
    assert not failures, "\n".join(failures)


def test_a_refused_switch_changes_nothing(client, people):
    for enabled in ("no", 0, "false"):
        answer = client.post("/api/v1/admin/monitoring", json={"enabled": enabled},
                             headers=people.admin)
        assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "enabled"
    assert client.get("/api/v1/admin/monitoring", headers=people.admin).json()["enabled"]


@pytest.mark.parametrize("started_at, expected", [
    ("2026-01-05T10:00:00Z", 201), ("2026-01-05T10:00:00+02:00", 201),
    ("2026-01-05T10:00:00", 422), ("2026-01-05", 422), (0, 422), ("1700000000", 422),
])
def test_incident_times_need_an_iso_string_with_a_zone(client, people, started_at, expected):
    answer = client.post("/api/v1/incidents", json={"type": "service_outage",
                                                    "severity": "high",
                                                    "started_at": started_at},
                         headers=people.admin)
    assert answer.status_code == expected, answer.text


def test_an_alert_time_without_a_zone_is_refused_not_a_server_error(client, people):
    alert = am_alert("Down", starts_at="2026-01-05T11:58:00")
    answer = client.post("/api/v1/alerts/alertmanager", json=am_webhook(alert),
                         headers=people.headers("responder"))
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "alerts.0.startsAt"


def test_a_layer_may_still_give_a_time_in_the_schedules_zone(client, people):
    client.post("/api/v1/oncall/schedules", json={"name": "eu", "time_zone": "Europe/Berlin"},
                headers=people.admin)
    answer = client.post("/api/v1/oncall/schedules/eu/layers",
                         json={"rotation": "weekly", "participants": ["admin"],
                               "starts_at": "2026-03-02T09:00"}, headers=people.admin)
    assert answer.status_code in (200, 201), answer.text
    assert answer.json()["layers"][0]["starts_at"] == "2026-03-02T08:00:00Z"
