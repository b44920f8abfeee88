"""One clock per obligation of every regime a breach carries.

:func:`refresh` recomputes a breach's clocks from its record and submissions
after every change; :func:`remind` is the worker cycle ``compliance.clocks``:
at each reminder point before a deadline (WARROOM_COMPLIANCE_REMINDER_HOURS)
it tells the legal/compliance role and the DPO, and when the deadline passes
it escalates like a missed response target: a ``breach``/``overdue`` timeline
event, and the incident commander (the next tier) or, with nobody there, the
admins. A submitted obligation is never reminded again. Points already past
when a clock starts are not sent late; the next one is. Rows are claimed
with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL (and the cycle runs under the
worker's advisory lock), and every message has an idempotency key.

A breach on a drill incident runs its clocks at the drill's time scale
(:data:`warroom.compliance.hooks.time_scale`): at 10, a 72-hour deadline is
due 7.2 hours after awareness and each reminder point is a tenth as far
before it. A real breach always runs at 1.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from warroom.audit import service as audit
from warroom.compliance import audience, hooks, regimes
from warroom.compliance import settings as compliance_settings
from warroom.compliance.models import Breach, BreachClock, Submission
from warroom.incidents import timeline

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork

BATCH = 200
NO_CLOCK_STATES = ("suspected",)


def refresh(uow: UnitOfWork, breach: Breach) -> None:
    """Bring the breach's clocks in line with its record."""
    existing = {(c.regime, c.kind): c for c in clocks_of(uow.session, breach_id=breach.id)}
    if breach.state in NO_CLOCK_STATES or breach.aware_at is None:
        return
    known = regimes.effective()
    sent = _submissions(uow.session, breach)
    now = uow.now()
    scale = time_scale(uow.session, breach)
    for regime_id in breach.regimes:
        regime = known.get(regime_id)
        if regime is None:
            continue
        for obligation in regime.obligations:
            if obligation.deadline is None:
                continue
            clock = existing.pop((regime_id, obligation.kind), None)
            if clock is None:
                clock = BreachClock(breach_id=breach.id, regime=regime_id, kind=obligation.kind,
                                    reminders=0, state="waiting")
                uow.session.add(clock)
            clock.obligation, clock.title = obligation.id, obligation.title
            clock.source, clock.time_scale = obligation.source[:500], scale
            clock.rule = _scaled(regime.rule_text(obligation), scale)[:200]
            _update(clock, breach, regime, obligation, sent.get((regime_id, obligation.kind)),
                    sent, now)
    for stale in existing.values():  # a regime taken off the breach
        stale.state, stale.next_point_at = "not_applicable", None
    uow.session.flush()


def clocks_of(session: Session, *, breach_id: int) -> list[BreachClock]:
    return list(session.scalars(select(BreachClock).where(BreachClock.breach_id == breach_id)
                                .order_by(BreachClock.due_at, BreachClock.id)))


def running(session: Session) -> list[tuple[BreachClock, Breach]]:
    """Every running clock, soonest deadline first."""
    rows = session.execute(select(BreachClock, Breach).join(Breach, Breach.id ==
                                                            BreachClock.breach_id)
                           .where(BreachClock.state == "running")
                           .order_by(BreachClock.due_at, BreachClock.id))
    return [(clock, breach) for clock, breach in rows]


def remind(uow: UnitOfWork) -> datetime | None:
    """The worker cycle: every clock whose next point has come; the next due time."""
    now = uow.now()
    query = (select(BreachClock).where(BreachClock.state == "running",
                                       BreachClock.next_point_at <= now)
             .order_by(BreachClock.next_point_at).limit(BATCH))
    if not uow.is_sqlite:
        query = query.with_for_update(skip_locked=True)
    for clock in list(uow.session.scalars(query)):
        breach = uow.session.get(Breach, clock.breach_id)
        if breach is not None:
            _fire(uow, clock, breach, now)
    return uow.session.scalar(select(func.min(BreachClock.next_point_at))
                              .where(BreachClock.state == "running",
                                     BreachClock.next_point_at > now))


def time_scale(session: Session, breach: Breach) -> float:
    """How many times faster than real time the breach's clocks run: 1 for a
    real breach, the drill's time scale for one on a drill incident."""
    if not breach.is_drill or breach.incident_id is None:
        return 1.0
    answers = [s for s in hooks.time_scale.collect(session, breach.incident_id)
               if s is not None and s > 0]
    return max(answers, default=1.0)


def points(due: datetime, scale: float = 1.0) -> list[datetime]:
    """The reminder points of a deadline, earliest first, ending with the deadline
    (each ``scale`` times closer to it on a drill's compressed clock)."""
    hours = compliance_settings.get().compliance_reminder_hours
    return sorted({due - timedelta(hours=h / scale) for h in hours} | {due})


def _update(clock: BreachClock, breach: Breach, regime: regimes.Regime,
            obligation: regimes.Obligation, submitted: datetime | None,
            sent: dict[tuple[str, str], datetime], now: datetime) -> None:
    if submitted is not None:
        clock.state, clock.submitted_at, clock.next_point_at = "submitted", submitted, None
        return
    if breach.state == "closed" or not obligation.when.holds(breach.risk):
        clock.state, clock.next_point_at = "not_applicable", None
        return
    due = _due(obligation.deadline, breach, clock.regime, sent, clock.time_scale)
    if due is not None and clock.time_scale == 1:
        due = regime.adjust(obligation, due)  # a drill's compressed clock never rolls
    if due is None:
        clock.state, clock.due_at, clock.next_point_at = "waiting", None, None
        return
    if clock.state != "running" or clock.due_at != due:
        # points already behind us when the clock (re)starts are not sent late
        passed = [p for p in points(due, clock.time_scale) if p <= now and p < due]
        if clock.last_point_at is None or (passed and passed[-1] > clock.last_point_at):
            clock.last_point_at = passed[-1] if passed else None
    clock.state, clock.due_at = "running", due
    clock.next_point_at = None if clock.overdue_at is not None else _next_point(clock, due)


def _next_point(clock: BreachClock, due: datetime) -> datetime | None:
    later = [p for p in points(due, clock.time_scale)
             if clock.last_point_at is None or p > clock.last_point_at]
    return later[0] if later else None


def _due(deadline: regimes.Deadline | None, breach: Breach, regime: str,
         sent: dict[tuple[str, str], datetime], scale: float) -> datetime | None:
    if deadline is None:
        return None
    due = _from(deadline, breach, regime, sent, scale)
    if deadline.cap is not None:
        cap = _from(deadline.cap, breach, regime, sent, scale)
        due = cap if due is None else (due if cap is None else min(due, cap))
    return due


def _from(span: regimes.Span, breach: Breach, regime: str,
          sent: dict[tuple[str, str], datetime], scale: float) -> datetime | None:
    if span.after == "awareness":
        start = breach.aware_at
    elif span.after == "classification":
        start = breach.classified_at
    else:
        start = sent.get((regime, span.submission or ""))
    if start is None:
        return None
    return start + (span.add_to(start) - start) / scale


def _submissions(session: Session, breach: Breach) -> dict[tuple[str, str], datetime]:
    """The latest submission of each (regime, obligation kind)."""
    rows = session.execute(select(Submission.regime, Submission.obligation,
                                  func.max(Submission.submitted_at))
                           .where(Submission.breach_id == breach.id)
                           .group_by(Submission.regime, Submission.obligation))
    return {(regime, kind): at for regime, kind, at in rows}


def _fire(uow: UnitOfWork, clock: BreachClock, breach: Breach, now: datetime) -> None:
    due = clock.due_at
    if due is None:
        clock.next_point_at = None
        return
    reached = [p for p in points(due, clock.time_scale) if p <= now and
               (clock.last_point_at is None or p > clock.last_point_at)]
    if not reached:
        clock.next_point_at = _next_point(clock, due)
        return
    point = reached[-1]
    clock.last_point_at = point
    if point >= due:
        _escalate(uow, clock, breach, now)
        clock.overdue_at, clock.next_point_at = now, None
        return
    clock.reminders += 1
    clock.next_point_at = _next_point(clock, due)
    left = due - point
    what = f"{breach.ref}: {clock.regime} {clock.kind} ({clock.title}) due in " \
           f"{_hours(left)}, at {due:%Y-%m-%d %H:%M} UTC"
    message = audience.Message(subject=f"[warroom] {what}", key=f"breach-clock:{clock.id}:"
                               f"{point.isoformat()}", kind="breach_reminder",
                               body=f"{what}.\n\nRule: {clock.rule} ({clock.source}).\n"
                                    f"Record the submission with:\n  warroom breach submit "
                                    f"{breach.ref} --regime {clock.regime} --obligation "
                                    f"{clock.kind} ...\n")
    audience.to_people(uow, breach, audience.role_holders(uow.session, breach,
                                                          audience.LEGAL_ROLE), message)
    audience.to_dpo(uow, breach, message)
    if message.dpo_fallback is not None and breach.incident_id is not None:
        # as for the DPO notice: the incident shows that nobody configured
        # the DPO's address and who was reminded in their place
        timeline.add(uow, incident_id=breach.incident_id, kind="breach",
                     summary=f"{breach.ref}: {clock.regime} {clock.kind} reminder, due "
                             f"{due:%Y-%m-%d %H:%M} UTC{audience.fallback_note(message)}",
                     data={"action": "reminded", "ref": breach.ref, "regime": clock.regime,
                           "obligation": clock.kind, "due": due.isoformat(),
                           "dpo_fallback": message.dpo_fallback})


def _escalate(uow: UnitOfWork, clock: BreachClock, breach: Breach, now: datetime) -> None:
    due = clock.due_at
    problem = (f"{breach.ref}: the {clock.regime} {clock.kind} ({clock.title}) was due at "
               f"{due:%Y-%m-%d %H:%M} UTC and has not been submitted")
    message = audience.Message(subject=f"[warroom] OVERDUE {problem}",
                               key=f"breach-overdue:{clock.id}", kind="breach_overdue",
                               body=f"{problem}.\n\nA late notification must give the reasons "
                                    f"for the delay (GDPR Art. 33(1)).\n  warroom breach submit "
                                    f"{breach.ref} --regime {clock.regime} --obligation "
                                    f"{clock.kind} --reasons-for-delay \"...\" ...\n")
    audience.to_people(uow, breach, audience.role_holders(uow.session, breach,
                                                          audience.LEGAL_ROLE), message)
    audience.to_dpo(uow, breach, message)
    commanders = audience.role_holders(uow.session, breach, audience.COMMANDER_ROLE)
    before = len(message.told)
    audience.to_people(uow, breach, commanders, message)
    if len(message.told) == before:
        audience.to_admins(uow, breach, message)
    audit.record(uow, action="breach.overdue", target=f"breach:{breach.ref}",
                 before={"clock": clock.obligation, "state": "running"},
                 after={"clock": clock.obligation, "regime": clock.regime, "due_at": due,
                        "overdue_at": now, "told": message.told})
    if breach.incident_id is not None:
        timeline.add(uow, incident_id=breach.incident_id, kind="breach",
                     summary=f"Missed deadline: {problem}; told "
                             f"{', '.join(message.told) or 'nobody'}"
                             f"{audience.fallback_note(message)}",
                     data={"action": "overdue", "ref": breach.ref, "regime": clock.regime,
                           "obligation": clock.kind, "due": due.isoformat() if due else None,
                           "told": message.told, "dpo_fallback": message.dpo_fallback})


def _scaled(text: str, scale: float) -> str:
    """The rule as the regime states it; on a drill's compressed clock with
    the division shown ("72 h after awareness ÷ 10 (drill)"), so nobody takes
    the drill's deadline for the law's."""
    return text if scale == 1 else f"{text} ÷ {scale:g} (drill)"


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:g} h"
