"""Concurrent deliveries for the same groups open one incident per group and
store each alert once, on SQLite (one writer at a time) and on PostgreSQL
(group rows locked in key order)."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from warroom.db import Actor
from warroom.incidents.models import Incident
from warroom.intake import service
from warroom.intake.models import Alert
from warroom.intake.sources.alert import IncomingAlert, fingerprint

GROUPS = 4
THREADS = 8
DELIVERIES = 6


def alert(group: int, instance: str) -> IncomingAlert:
    labels = {"alertname": f"Concurrent{group}", "instance": instance}
    return IncomingAlert(dedup_key=fingerprint(labels), name=labels["alertname"],
                         status="firing", labels=labels, severity="sev3")


def test_concurrent_deliveries_open_one_incident_per_group(database, clock):
    start = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def sender(thread: int) -> None:
        try:
            start.wait()
            for delivery in range(DELIVERIES):
                # every delivery touches every group; instance "shared" is sent by all
                batch = [alert(g, f"t{thread}-d{delivery}") for g in range(GROUPS)]
                batch += [alert(g, "shared") for g in range(GROUPS)]
                with database.unit_of_work(Actor(name=f"sender{thread}"), clock=clock) as uow:
                    service.receive(uow, alerts=batch, source="generic")
        except BaseException as failed:
            failures.append(failed)

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    with database.read() as session:
        incidents = session.scalar(select(func.count()).select_from(Incident))
        alerts = session.scalar(select(func.count()).select_from(Alert))
        shared = session.scalars(select(Alert.receive_count).where(
            Alert.labels["instance"].as_string() == "shared")).all()
    assert incidents == GROUPS
    assert alerts == GROUPS * (THREADS * DELIVERIES + 1)
    assert sorted(shared) == [THREADS * DELIVERIES] * GROUPS
