"""The worker's side of the runner: claim due steps, run them, record results.

Like outbox delivery, claiming and recording are short transactions and the
command, call or query runs between them with no transaction open. On
PostgreSQL claims use ``FOR UPDATE SKIP LOCKED``. A claimed step carries a
lease: if its worker dies, the step is marked failed ("outcome unknown") when
the lease ends, never silently run twice (a destructive command must not be).

Notify and wait steps touch only the database, so they are handled inside the
cycle's own transaction.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy import func, or_, select

from warroom import wakeup
from warroom.audit import service as audit
from warroom.comms import service as comms
from warroom.db import SYSTEM, Database, UnitOfWork
from warroom.errors import Problem
from warroom.evidence import service as evidence
from warroom.incidents import service as incident_service
from warroom.incidents import timeline
from warroom.incidents.phases import RESOLVED_PHASES
from warroom.playbooks import rendering, service
from warroom.playbooks import settings as playbooks_settings
from warroom.playbooks.format import parse_duration
from warroom.playbooks.kinds import EXECUTED, Prepared, Result
from warroom.playbooks.models import StepRun

if TYPE_CHECKING:
    from warroom.clock import Clock
    from warroom.incidents.models import Incident

log = structlog.get_logger("warroom.playbooks")
LEASE_MARGIN = timedelta(seconds=60)
BATCH = 50
TIMELINE_OUTPUT = 4000
AUDIT_OUTPUT = 2000


@dataclass(frozen=True)
class Job:
    """A claimed step, detached from the database."""

    step_run_id: int
    prepared: Prepared


def claim_due(uow: UnitOfWork, *, limit: int = BATCH) -> list[Job]:
    """Mark due executable steps as running; steps that cannot run are blocked."""
    now = uow.now()
    query = (_due_query(now).where(StepRun.kind.in_(tuple(EXECUTED)))
             .order_by(StepRun.run_at, StepRun.id).limit(limit))
    if not uow.is_sqlite:
        query = query.with_for_update(skip_locked=True)
    jobs = []
    steps = list(uow.session.scalars(query))
    incidents = _incidents_of(uow, steps)
    for step in steps:
        incident = incidents.get(step.incident_id)
        if incident is None or not incident.is_open:
            step.run_at = None
            continue
        try:
            prepared = service.prepare(uow.session, incident=incident, step=step)
        except rendering.NotReady as missing:
            _block(step, missing.reason)
            continue
        if prepared.blocked:
            _block(step, prepared.blocked)
            continue
        step.status, step.attempts, step.started_at = "running", step.attempts + 1, now
        step.run_at, step.blocked_reason = None, None
        step.lease_until = now + timedelta(seconds=prepared.timeout) + LEASE_MARGIN
        jobs.append(Job(step.id, prepared))
    return jobs


def run_jobs(database: Database, clock: Clock, jobs: list[Job]) -> None:
    """Execute claimed jobs in parallel; wait a little for them, then let the
    slow ones finish and record in the background."""
    if not jobs:
        return
    futures = [_pool().submit(_execute_and_record, database, clock, job) for job in jobs]
    wait(futures, timeout=playbooks_settings.get().playbook_step_wait_seconds)


def record(uow: UnitOfWork, job: Job, result: Result) -> StepRun | None:
    """Store a result: status, output, timeline event, audit entry, what follows."""
    step = uow.session.get(StepRun, job.step_run_id)
    if step is None:
        return None
    incident = incident_service.get(uow.session, incident_id=step.incident_id)
    now = uow.now()
    step.status = "succeeded" if result.ok else "failed"
    step.finished_at, step.lease_until = now, None
    step.outcome = {**_kept_evidence(uow, step, incident, result.outcome),
                    "summary": result.summary}
    step.output = result.output
    if (not result.ok and step.kind == "prometheus_check" and incident is not None
            and incident.phase not in RESOLVED_PHASES):
        delay = service.recheck_delay(step, playbooks_settings.get().playbook_recheck_seconds)
        step.run_at = now + timedelta(seconds=delay)
    _on_record(uow, step, incident, result)
    if result.ok:
        service.release_followers(uow, step)
    wakeup.notify(uow)
    return step


def _kept_evidence(uow: UnitOfWork, step: StepRun, incident: Incident | None,
                   outcome: dict[str, Any]) -> dict[str, Any]:
    """A ``command`` step with ``evidence: true`` stored its output: register
    it as an item produced by this step, and keep its ref in the outcome."""
    ran = outcome.get("evidence_pending")
    if ran is None:
        return outcome
    kept = {key: value for key, value in outcome.items() if key != "evidence_pending"}
    if incident is None:
        return kept
    item = evidence.register_output(uow, incident=incident, ran=ran,
                                    title=f"{step.title} ({step.ref})",
                                    produced_by_step=step.ref)
    return {**kept, "evidence": item.ref, "sha256": item.sha256, "size": item.size}


def expire_leases(uow: UnitOfWork) -> None:
    """Steps whose worker vanished: their outcome is unknown, so say so."""
    now = uow.now()
    for step in uow.session.scalars(select(StepRun).where(StepRun.status == "running",
                                                          StepRun.lease_until < now)):
        incident = incident_service.get(uow.session, incident_id=step.incident_id)
        result = Result(False, "the worker running it stopped; outcome unknown (check, then "
                               "run it again)", None, {"lease_expired": True})
        step.status, step.finished_at, step.lease_until = "failed", now, None
        step.outcome = {**result.outcome, "summary": result.summary}
        _on_record(uow, step, incident, result)


def advance_waits(uow: UnitOfWork) -> None:
    """Start due timers and finish the ones that have run their time."""
    now = uow.now()
    for step in uow.session.scalars(_due_query(now).where(StepRun.kind == "wait")):
        if step.status == "waiting":
            step.status, step.finished_at, step.run_at = "succeeded", now, None
            result = Result(True, f"waited {step.params['duration']}")
            step.outcome = {"summary": result.summary}
            incident = incident_service.get(uow.session, incident_id=step.incident_id)
            _on_record(uow, step, incident, result)
            service.release_followers(uow, step)
        else:
            step.status, step.started_at = "waiting", now
            step.run_at = now + parse_duration(step.params["duration"])


def send_notifications(uow: UnitOfWork) -> None:
    """Due notify steps: render the template and queue it, in this transaction."""
    steps = list(uow.session.scalars(_due_query(uow.now()).where(StepRun.kind == "notify")))
    incidents = _incidents_of(uow, steps)
    for step in steps:
        incident = incidents.get(step.incident_id)
        if incident is None or not incident.is_open:
            step.run_at = None
            continue
        try:
            with uow.session.begin_nested():
                message = comms.send(uow, incident=incident, template=step.params["template"],
                                     to=step.params["to"], fields=step.params.get("fields") or {})
        except comms.Unresolved as missing:
            _block(step, missing.detail)
            continue
        except Problem as problem:
            result = Result(False, f"could not send: {problem.detail}")
        else:
            result = Result(True, f"sent {message.template} to {', '.join(message.recipients)}",
                            None, {"message_id": message.id, "recipients": message.recipients})
        step.attempts += 1
        step.status = "succeeded" if result.ok else "failed"
        step.finished_at, step.run_at = uow.now(), None
        step.outcome = {**result.outcome, "summary": result.summary}
        _on_record(uow, step, incident, result)
        if result.ok:
            service.release_followers(uow, step)


def next_due(uow: UnitOfWork) -> datetime | None:
    """When the runner next has something to do (a due step or a lease end)."""
    now = uow.now()
    scheduled = uow.session.scalar(select(func.min(StepRun.run_at)).where(
        StepRun.run_at > now, StepRun.status != "running", _may_run()))
    lease = uow.session.scalar(select(func.min(StepRun.lease_until)).where(
        StepRun.status == "running"))
    return min((d for d in (scheduled, lease) if d is not None), default=None)


def _incidents_of(uow: UnitOfWork, steps: list[StepRun]) -> dict[int, Incident]:
    """The steps' incidents (with their roles) in one query, not one per step:
    right after a storm every new incident has steps due at once."""
    ids = {step.incident_id for step in steps}
    if not ids:
        return {}
    return incident_service.many(uow.session, ids=ids)


def _due_query(now: datetime) -> Any:
    return select(StepRun).where(StepRun.run_at <= now,
                                 StepRun.status.not_in(("running", "skipped")), _may_run())


def _may_run() -> Any:
    """Destructive steps run only once a commander approved them."""
    return or_(StepRun.destructive.is_(False), StepRun.approved_at.is_not(None))


def _block(step: StepRun, reason: str) -> None:
    """Nothing was attempted, so nothing goes on the timeline: the step waits,
    showing why, until a person fixes the cause and asks for a run."""
    step.status, step.blocked_reason, step.run_at = "blocked", reason[:500], None


def _on_record(uow: UnitOfWork, step: StepRun, incident: Incident | None,
               result: Result) -> None:
    if incident is None:
        return
    output = result.output or ""
    data = {"step": step.ref, "step_run": step.id, "status": step.status,
            "outcome": step.outcome, "output": output[:TIMELINE_OUTPUT] or None}
    timeline.add(uow, incident_id=incident.id, kind="step", actor=SYSTEM.label, data=data,
                 summary=f"{step.ref} ({step.title}) {step.status}: {result.summary}")
    audit.record(uow, action="playbook.step_run", target=f"incident:{incident.ref}/step:"
                 f"{step.ref}", after={**data, "output": output[:AUDIT_OUTPUT] or None,
                                       "output_sha256": hashlib.sha256(output.encode())
                                       .hexdigest() if output else None})


def _execute_and_record(database: Database, clock: Clock, job: Job) -> None:
    try:
        result = EXECUTED[job.prepared.kind].execute(job.prepared)
    except Exception as unexpected:  # a kind's bug must not leave the step running
        log.exception("playbook step failed unexpectedly", step_run=job.step_run_id)
        result = Result(False, f"{type(unexpected).__name__}: {unexpected}")
    try:
        with database.unit_of_work(SYSTEM, clock=clock) as uow:
            record(uow, job, result)
    except Exception:
        log.exception("could not record a playbook step result; its lease will expire",
                      step_run=job.step_run_id)


_shared: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _shared
    if _shared is None:
        _shared = ThreadPoolExecutor(max_workers=playbooks_settings.get().playbook_concurrency,
                                     thread_name_prefix="playbook-step")
    return _shared
