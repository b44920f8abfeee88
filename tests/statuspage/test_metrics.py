"""``/metrics`` shows the status page: components, subscribers, public responses."""

from __future__ import annotations

import re

from tests.statuspage.support import SEED_STATUS, post


def metric(text: str, name: str, labels: str) -> float:
    match = re.search(rf"^{name}{{{labels}}} ([\d.e+]+)$", text, re.M)
    assert match, f"{name}{{{labels}}} not in /metrics"
    return float(match.group(1))


def test_metrics_count_components_subscribers_and_public_responses(public, people):
    post(public, people, "/api/v1/admin/status", SEED_STATUS)
    post(public, people, "/api/v1/statuspage/subscribers",
         {"kind": "webhook", "url": "http://127.0.0.1:9/hook"}, expect=201)
    before = metric(public.get("/metrics").text, "warroom_statuspage_public_responses_total",
                    'code="200"')
    for _ in range(3):
        public.get("/api/v2/status.json")
    text = public.get("/metrics").text
    assert metric(text, "warroom_statuspage_components", 'status="operational"') == 2
    assert metric(text, "warroom_statuspage_components",
                  'status="degraded_performance"') == 1
    assert metric(text, "warroom_statuspage_subscribers", 'kind="webhook",status="active"') == 1
    assert metric(text, "warroom_statuspage_public_responses_total", 'code="200"') >= before + 3
