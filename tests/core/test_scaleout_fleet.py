"""The scaled-out layout on one PostgreSQL database: two API processes
(``warroom serve --workers 2 --no-worker``) take the incidents, three
``warroom worker`` processes escalate them, and every page of every step is
sent exactly once, none missed; a breach clock's reminders are queued once
at each point, none missed.

Every process reads "now" from the file the test moves
(WARROOM_FAKE_TIME_FILE); waiting is for other processes, under a deadline."""

from __future__ import annotations

import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import httpx
from sqlalchemy import select

from tests.oncall.conftest import SECRET
from tests.oncall.test_workers import (
    INCIDENTS,
    STEPS,
    Fleet,
    Hooks,
    expected_keys,
    fleet,  # noqa: F401  (the fixture)
    pg_url,  # noqa: F401  (the fixture it needs)
    settle,
    wait_until,
)
from tests.support.receivers import free_port
from tests.support.serve import serving
from warroom.auth import service as users
from warroom.compliance import service as compliance
from warroom.incidents import service as incidents
from warroom.notify.models import OutboxMessage
from warroom.oncall.escalation.models import Page
from warroom.oncall.people import service as people_service
from warroom.oncall.positions import service as positions
from warroom.oncall.targets import TargetSpec

if TYPE_CHECKING:
    from pathlib import Path

    from pytest import MonkeyPatch


def _people_and_a_token(on: Fleet, hooks: Hooks) -> str:
    """The three people on the sev3 positions, reached by signed webhooks (as
    in the two-worker test), and an admin token for the API processes."""
    with on.unit() as uow:
        for position, username in (("on_call_engineer", "oce"), ("team_lead", "lead"),
                                   ("engineering_manager", "em")):
            user = users.create(uow, username=username, role="responder")
            people_service.add_contact_method(uow, user=user, kind="webhook",
                                              address=f"{hooks.url}/{username}", secret=SECRET)
            positions.bind(uow, position=position, targets=[TargetSpec(user=username)])
        admin = users.create(uow, username="declarer", role="admin")
        return users.issue_token(uow, user=admin, name="fleet").secret


def _breach_reminders(on: Fleet) -> Counter[str]:
    with on.database.read() as session:
        return Counter(session.scalars(select(OutboxMessage.subject)
                                       .where(OutboxMessage.kind == "breach_reminder")))


def _open_breach(on: Fleet) -> None:
    """A GDPR breach confirmed now: its 72-hour clock reminds the DPO 48, 24,
    12, 4 and 1 hours before the deadline."""
    with on.unit() as uow:
        incident = incidents.declare(uow, declaration=incidents.Declaration(
            type="security_breach", severity="sev2", title="customer export"))
        compliance.open_breach(uow, incident=incident, facts={
            "aware_at": on.clock.now(), "classified_at": on.clock.now(),
            "awareness_basis": "logs show the export", "regimes": ["gdpr"]})


def test_two_api_processes_and_three_workers_page_each_step_exactly_once(
        fleet: Fleet, tmp_path: Path,  # noqa: F811  (the imported fixture)
        monkeypatch: MonkeyPatch) -> None:
    monkeypatch.setenv("WARROOM_COMPLIANCE_DPO_EMAIL", "dpo@example.com")  # for the workers
    hooks = Hooks()
    try:
        token = _people_and_a_token(fleet, hooks)
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        env = {**os.environ, "WARROOM_DATABASE_URL": fleet.url, "WARROOM_PORT": str(port),
               "WARROOM_HOST": "127.0.0.1", "WARROOM_FAKE_TIME_FILE": str(fleet.time_file),
               "WARROOM_DATA_DIR": str(tmp_path / "var"), "WARROOM_LOG_LEVEL": "warning"}
        with serving(["--workers", "2", "--no-worker", "--no-migrate"], env=env,
                     log=tmp_path / "serve.log", url=url):
            for name in ("worker-a", "worker-b", "worker-c"):
                fleet.spawn(name)

            def declare(number: int) -> int:
                return httpx.post(url + "/api/v1/incidents", timeout=30,
                                  headers={"Authorization": f"Bearer {token}"},
                                  json={"type": "service_outage", "severity": "sev3",
                                        "title": f"outage {number}"}).status_code

            with ThreadPoolExecutor(4) as pool:  # new connections: both processes take some
                assert set(pool.map(declare, range(INCIDENTS))) == {201}
            for minute, who in STEPS:
                fleet.move_to(minute)
                settle(fleet, hooks, f"/{who}")
            keys = hooks.keys()
            assert len(keys) == len(set(keys)) == INCIDENTS * len(STEPS)  # none twice
            assert set(keys) == expected_keys(fleet)                      # none missed
            with fleet.database.read() as session:
                paged = Counter(session.execute(select(Page.incident_id,
                                                       Page.step_index)).all())
            assert len(paged) == INCIDENTS * len(STEPS) and set(paged.values()) == {1}

            # Days pass now, while deliveries may be in flight: a claim whose
            # lease the jump outlives is sent again with its key (at least once),
            # so from here the test counts what was queued, not what arrived.
            aware = STEPS[-1][0]
            _open_breach(fleet)
            for number, hours_before in enumerate((48, 24, 12, 4, 1), start=1):
                fleet.move_to(aware + (72 - hours_before) * 60)
                wait_until(lambda n=number: sum(_breach_reminders(fleet).values()) >= n,
                           f"the breach reminder {hours_before} h before the deadline")
            reminded = _breach_reminders(fleet)
        assert set(reminded.values()) == {1}  # each point reminded once, none twice
        assert all(sum(f"due in {h} h" in subject for subject in reminded) == 1
                   for h in (48, 24, 12, 4, 1))  # and none missed
    finally:
        hooks.close()
