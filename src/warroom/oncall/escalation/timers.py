"""The engine cycle: advance every due escalation timer, set-based.

One cycle claims up to ``WARROOM_ESCALATION_BATCH_SIZE`` due timers (on
PostgreSQL with ``FOR UPDATE SKIP LOCKED``, also skipping escalations another
transaction holds, for example an acknowledgement in flight), works out in
Python what each one does, then writes the whole batch with a few statements:
one INSERT each for pages, outbox messages and new timers, one UPDATE for the
claimed timers. Pages, the timers' "fired" mark and the next timers commit
together, so a worker killed mid-cycle leaves nothing half done: the timers
are still due and the next worker fires them once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select, update

from warroom.incidents import service as incident_service
from warroom.oncall import settings as oncall_settings
from warroom.oncall.escalation import followups, steps
from warroom.oncall.escalation.models import Escalation, Timer
from warroom.oncall.escalation.pager import Pager

if TYPE_CHECKING:
    from datetime import datetime

    from warroom.db import UnitOfWork
    from warroom.incidents.models import Incident

LIVE = ("active", "acknowledged", "exhausted")
ORDER = {"step": 0, "notice": 1, "renotify": 2}
"""What fires first among timers due at the same moment: a target checked at
minute 15 sees the step due at minute 15 as already fired."""
"""States in which an escalation still has something to do."""


def advance(uow: UnitOfWork) -> datetime | None:
    """Fire what is due now; return when the next timer falls due (the
    worker sleeps until then, so timers fire on time without polling)."""
    due = next_due(uow)
    if due is None or due > uow.now():
        return due  # the common case costs one indexed query
    limit = oncall_settings.get().escalation_batch_size
    claimed = claim(uow, limit=limit)
    if claimed:
        fire(uow, claimed)
    if len(claimed) >= limit:
        return uow.now()  # more is due: come straight back
    return next_due(uow)


def claim(uow: UnitOfWork, *, limit: int) -> list[Timer]:
    query = (select(Timer).where(Timer.status == "pending", Timer.due_at <= uow.now())
             .order_by(Timer.due_at, Timer.id).limit(limit))
    if not uow.is_sqlite:
        query = query.with_for_update(skip_locked=True)
    return list(uow.session.scalars(query))


def fire(uow: UnitOfWork, timers: list[Timer]) -> None:
    escalations = _escalations(uow, {t.escalation_id for t in timers})
    incidents = _incidents(uow, {e.incident_id for e in escalations.values()})
    pager = Pager(uow, renotify_pending=_renotify_pending(uow, escalations, timers))
    pager.prefetch([(incidents[e.incident_id], pager.policy(e).steps[e.step_index].targets)
                    for e in escalations.values()
                    if e.state == "active" and e.step_index < len(e.policy.get("steps", []))])
    fired, dropped = [], []
    for timer in sorted(timers, key=lambda t: (t.due_at, ORDER.get(t.kind, 9), t.id)):
        escalation = escalations.get(timer.escalation_id)
        if escalation is None:
            continue  # held by another transaction: stays due for the next cycle
        if _stale(timer, escalation):
            dropped.append(timer.id)
            continue
        _handle(pager, timer, escalation, incidents[escalation.incident_id])
        fired.append(timer.id)
    pager.writes.flush(uow)
    done_at = uow.clock.now()
    if fired:
        uow.session.execute(update(Timer).where(Timer.id.in_(fired))
                            .values(status="fired", fired_at=done_at))
    if dropped:
        uow.session.execute(update(Timer).where(Timer.id.in_(dropped))
                            .values(status="cancelled", fired_at=done_at))


def next_due(uow: UnitOfWork) -> datetime | None:
    return uow.session.scalar(select(func.min(Timer.due_at)).where(Timer.status == "pending"))


def _handle(pager: Pager, timer: Timer, escalation: Escalation, incident: Incident) -> None:
    data = timer.data or {}
    if timer.kind == "step":
        steps.run(pager, escalation, incident, due=timer.due_at)
    elif timer.kind == "notice":
        followups.fire_notice(pager, escalation, incident, int(data.get("index", 0)))
    elif timer.kind == "renotify":
        followups.renotify(pager, escalation, incident, user_id=int(data["user_id"]),
                           timer_id=timer.id)
    elif timer.kind in followups.TARGETS:
        followups.check_target(pager, escalation, incident, timer.kind)


def _stale(timer: Timer, escalation: Escalation) -> bool:
    """A timer of an earlier run of the escalation, or of one that is over."""
    if escalation.state not in LIVE:
        return True
    if timer.kind == "step" and escalation.state != "active":
        return True
    if timer.kind == "notice" and (timer.data or {}).get("policy") != escalation.policy_name:
        return True
    return timer.kind in ("step", "renotify") and timer.generation != escalation.generation


def _escalations(uow: UnitOfWork, ids: set[int]) -> dict[int, Escalation]:
    query = select(Escalation).where(Escalation.id.in_(ids))
    if not uow.is_sqlite:
        query = query.with_for_update(skip_locked=True)
    return {e.id: e for e in uow.session.scalars(query)}


def _incidents(uow: UnitOfWork, ids: set[int]) -> dict[int, Incident]:
    """Incidents of the batch, read in one query (read only: incidents change
    through their own service)."""
    return incident_service.many(uow.session, ids=ids)


def _renotify_pending(uow: UnitOfWork, escalations: dict[int, Escalation],
                      claimed: list[Timer]) -> set[tuple[int, int]]:
    """(escalation, person) pairs that already have a re-notification set."""
    if not escalations:
        return set()
    rows = uow.session.execute(select(Timer.escalation_id, Timer.data).where(
        Timer.kind == "renotify", Timer.status == "pending",
        Timer.escalation_id.in_(list(escalations)),
        Timer.id.not_in([t.id for t in claimed])))
    return {(escalation_id, int((data or {})["user_id"])) for escalation_id, data in rows}
