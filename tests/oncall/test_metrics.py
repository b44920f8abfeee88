"""/metrics shows escalations by state and how late the oldest due timer is."""

from __future__ import annotations


def gauge(text: str, name: str) -> dict[str, float]:
    found = {}
    for line in text.splitlines():
        if line.startswith(name):
            series, value = line.rsplit(" ", 1)
            found[series] = float(value)
    return found


def test_metrics_count_escalations_and_overdue_timers(org, client, clock):
    org.staff_positions()
    org.declare("sev3")
    org.declare("sev3")
    clock.advance(minutes=20)  # the team-lead steps are 5 minutes overdue: no worker ran
    text = client.get("/metrics").text
    assert gauge(text, "warroom_oncall_escalations") == {
        'warroom_oncall_escalations{state="active"}': 2.0}
    assert gauge(text, "warroom_oncall_timers_pending")['warroom_oncall_timers_pending'
                                                        '{kind="step"}'] == 2.0
    assert gauge(text, "warroom_oncall_timer_overdue_seconds") == {
        "warroom_oncall_timer_overdue_seconds": 300.0}
    org.tick()
    text = client.get("/metrics").text
    assert gauge(text, "warroom_oncall_timer_overdue_seconds") == {
        "warroom_oncall_timer_overdue_seconds": 0.0}
