"""Paging has a loop of its own in a running worker: the urgent pass fires due
escalation steps and delivers their pages without the other cycles, and every
loop in the process is woken by a commit."""

from __future__ import annotations

from warroom import wakeup


def test_the_urgent_pass_pages_the_next_step_on_its_own(org, clock, worker):
    org.staff_positions()
    start = clock.now()
    org.declare("sev1")
    assert org.paged() == ["oce"]
    assert worker.urgent == ["oncall.escalations"]
    org.at(start, minutes=15)
    next_due = worker.run_urgent_once()
    pages = [r.path.strip("/") for r in org.receiver.requests[org.seen:]
             if r.json()["event"] == "page"]
    assert pages == ["lead"]
    assert next_due is not None and next_due > clock.now()


def test_a_commit_wakes_every_loop_of_the_process():
    first, second = wakeup.local_event.subscribe(), wakeup.local_event.subscribe()
    try:
        wakeup.local_event.set()
        assert first.is_set() and second.is_set()
        first.clear()  # one loop starting its pass does not swallow the other's wake-up
        assert second.is_set()
    finally:
        wakeup.local_event.unsubscribe(first)
        wakeup.local_event.unsubscribe(second)
