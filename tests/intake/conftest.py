"""Helpers for alert intake tests: payloads in each sender's format."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from warroom.intake.sources.alert import fingerprint


def am_alert(name: str, status: str = "firing", *, starts_at: str = "2026-01-05T11:58:00Z",
             fingerprint_: str | None = None, annotations: dict[str, str] | None = None,
             **labels: str) -> dict[str, Any]:
    """One alert as Alertmanager's webhook carries it."""
    all_labels = {"alertname": name, "job": "websocket-service", **labels}
    return {"status": status, "labels": all_labels,
            "annotations": annotations or {"summary": f"{name} on {labels.get('instance', '-')}"},
            "startsAt": starts_at,
            "endsAt": "0001-01-01T00:00:00Z" if status == "firing" else "2026-01-05T12:00:00Z",
            "generatorURL": "http://prometheus.example:9090/graph?g0.expr=up",
            "fingerprint": fingerprint_ or fingerprint(all_labels)}


def am_webhook(*alerts: dict[str, Any], status: str | None = None) -> dict[str, Any]:
    """A version 4 webhook payload around the given alerts."""
    common = alerts[0]["labels"] if alerts else {}
    return {"version": "4", "receiver": "warroom",
            "status": status or ("firing" if any(a["status"] == "firing" for a in alerts)
                                 else "resolved"),
            "alerts": list(alerts), "groupLabels": {"alertname": common.get("alertname", "")},
            "commonLabels": common, "commonAnnotations": {},
            "externalURL": "http://alertmanager.example:9093",
            "groupKey": '{}:{alertname="x"}', "truncatedAlerts": 0}


class Sender:
    """Posts alerts the way each tool would, as the responder (alert:write)."""

    def __init__(self, client, people) -> None:
        self.client = client
        self.headers = people.headers("responder")
        self.admin = people.admin

    def alertmanager(self, *alerts: dict[str, Any], expect: int = 200) -> dict[str, Any]:
        answer = self.client.post("/api/v1/alerts/alertmanager", json=am_webhook(*alerts),
                                  headers=self.headers)
        assert answer.status_code == expect, answer.text
        return answer.json()

    def generic(self, body: Any, expect: int = 200) -> dict[str, Any]:
        answer = self.client.post("/api/v1/alerts/generic", json=body, headers=self.headers)
        assert answer.status_code == expect, answer.text
        return answer.json()

    def incident(self, ref: str) -> dict[str, Any]:
        return self.client.get(f"/api/v1/incidents/{ref}", headers=self.headers).json()

    def incidents(self) -> list[dict[str, Any]]:
        answer = self.client.get("/api/v1/incidents", params={"limit": 500},
                                 headers=self.headers)
        return answer.json()["items"]

    def timeline(self, ref: str, kind: str | None = None) -> list[dict[str, Any]]:
        params = {"kind": kind} if kind else {}
        return self.client.get(f"/api/v1/incidents/{ref}/timeline", params=params,
                               headers=self.headers).json()

    def alerts(self, **params: Any) -> list[dict[str, Any]]:
        answer = self.client.get("/api/v1/alerts", params={"limit": 500, **params},
                                 headers=self.headers)
        assert answer.status_code == 200, answer.text
        return answer.json()["items"]


@pytest.fixture
def send(client, people) -> Sender:
    return Sender(client, people)


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
