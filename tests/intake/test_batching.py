"""Group commit: deliveries waiting together are stored in one transaction,
each keeps its own report, and one bad delivery cannot fail the others."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from warroom.audit.models import AuditEntry
from warroom.db import Actor
from warroom.errors import Invalid
from warroom.intake.batching import Batcher
from warroom.intake.normalize import IncomingAlert, fingerprint
from warroom.intake.service import Delivery

SENDER = Actor(name="prometheus", kind="integration")


def delivery(name: str, labels: int = 1) -> Delivery:
    tags = {"alertname": name, **{f"l{n}": "x" for n in range(labels - 1)}}
    return Delivery([IncomingAlert(dedup_key=fingerprint(tags), name=name, status="firing",
                                   labels=tags, severity="sev3")], source="generic")


def submit_together(batcher: Batcher, deliveries: list[Delivery]) -> list[object]:
    async def together() -> list[object]:
        return await asyncio.gather(*(batcher.submit(d, actor=SENDER, source_ip="10.0.0.1")
                                      for d in deliveries), return_exceptions=True)

    return asyncio.run(together())


def audit_entries(database) -> int:
    with database.read() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)
                              .where(AuditEntry.action == "alerts.receive"))


def test_waiting_deliveries_share_one_transaction_and_keep_their_reports(database, clock):
    reports = submit_together(Batcher(database, clock),
                              [delivery("A"), delivery("B"), delivery("A")])
    assert [r.new for r in reports] == [1, 1, 0]
    assert [r.repeated for r in reports] == [0, 0, 1]
    assert reports[0].opened == ["INC-1"] and reports[2].attached == []
    assert audit_entries(database) == 1


def test_one_bad_delivery_does_not_fail_the_others(database, clock):
    # 100 labels cannot become incident labels; only this delivery may fail.
    reports = submit_together(Batcher(database, clock),
                              [delivery("Good"), delivery("Bad", labels=100), delivery("Fine")])
    assert isinstance(reports[1], Invalid)
    assert all(len(r.opened) == 1 for r in (reports[0], reports[2]))
    assert audit_entries(database) == 2  # the retried deliveries, one by one


@pytest.mark.parametrize("count", [1, 40])
def test_every_submission_gets_an_answer(database, clock, count):
    reports = submit_together(Batcher(database, clock),
                              [delivery(f"Alert{n}") for n in range(count)])
    assert all(r.received == 1 for r in reports)
