"""Start, run, end and score drills.

``start`` records the run, schedules its injects on the run's scaled clock
and fires those due at T+0 in the same unit of work. An alert inject goes
through intake like any tool's alert (dedup, routing, grouping, escalation,
playbook selection all run); intake asks :mod:`warroom.drills.wiring` whether
the alert is a drill's, so the incident it opens is declared ``is_drill``
with the participants named. A scenario without an alert at T+0 gets its
incident declared directly. ``end`` scores the run, writes the scorecard to
the audit chain, opens the debrief and checks the preparedness item.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
import structlog
from sqlalchemy import select

from warroom import outbound
from warroom.audit import service as audit
from warroom.auth import service as users
from warroom.auth.permissions import Role
from warroom.drills import debrief, injects, scenarios, scoring
from warroom.drills import settings as drills_settings
from warroom.drills.models import Drill, DrillInject
from warroom.errors import Conflict, Forbidden, Invalid, NotFound, Problem
from warroom.incidents import service as incidents
from warroom.incidents import timeline
from warroom.playbooks import preparedness

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork
    from warroom.incidents.models import Incident

RUNNING, ENDED = "running", "ended"
DRILL_LABEL = "warroom_drill"
PARTICIPANTS_LABEL = "drill_participants"
PAGE_REAL_LABEL = "drill_page_real"
PREPAREDNESS_ITEM = "simulation-exercises"
MAX_TIME_SCALE = 120.0
log = structlog.get_logger("warroom.drills")


def start(uow: UnitOfWork, *, scenario_id: str, facilitator: str, participants: list[str],
          time_scale: float = 1.0, live: bool = False, team: str = "",
          page_real: bool = False) -> Drill:
    """Start a run of a scenario (all or nothing)."""
    scenario = scenarios.get_or_raise(scenario_id)
    names = _people(uow.session, [facilitator, *participants])
    if not 0 < time_scale <= MAX_TIME_SCALE:
        raise Invalid(f"The time scale must be above 0 and at most {MAX_TIME_SCALE:g}.")
    if live and scenario.live is None:
        raise Invalid(f"Scenario {scenario.id} has no live mode (no fault to turn on).")
    if page_real and uow.actor.role != Role.admin.value:
        raise Forbidden("Only an admin may let a drill page the real rotation (--page-real).")
    drill = Drill(scenario=scenario.id, title=scenario.title, mode="live" if live else
                  "tabletop", team=team, facilitator=names[0], participants=names[1:],
                  time_scale=time_scale, page_real=page_real, status=RUNNING,
                  started_at=uow.now(), sandbox=[], created_by=uow.actor.label)
    uow.session.add(drill)
    uow.session.flush()
    for inject in scenario.injects:
        uow.session.add(DrillInject(drill_id=drill.id, inject=inject.id,
                                    due_at=drill.started_at + _real(drill, inject.at_minutes)))
    uow.session.flush()
    audit.record(uow, action="drill.start", target=f"drill:{drill.ref}",
                 after={"scenario": scenario.id, "mode": drill.mode, "facilitator": names[0],
                        "participants": names[1:], "time_scale": time_scale,
                        "page_real": page_real})
    opened_by_alert = any(i.alert is not None and i.at_minutes == 0 for i in scenario.injects)
    if not live and not opened_by_alert:
        _declare(uow, drill, scenario)
    fire_due(uow, drill_id=drill.id)
    if drill.incident_id is None and not live:
        _declare(uow, drill, scenario)  # the alert was held (a silence, paused monitoring)
    if live and scenario.live is not None:
        fault = scenario.live.fault
        uow.after_commit(lambda: set_fault(fault, on=True))
    return drill


def labels(drill: Drill) -> dict[str, str]:
    """What a drill's incident carries: the drill, who takes part, and whether
    an admin let it page the real rotation."""
    found = {DRILL_LABEL: drill.ref, PARTICIPANTS_LABEL: ",".join(drill.participants)}
    if drill.page_real:
        found[PAGE_REAL_LABEL] = "confirmed"
    return found


def fire_due(uow: UnitOfWork, *, drill_id: int | None = None) -> datetime | None:
    """Fire every inject that is due (of one drill, or of all running drills),
    claiming each row so that two workers never fire the same inject."""
    query = select(DrillInject).where(DrillInject.fired_at.is_(None),
                                      DrillInject.due_at <= uow.now())
    if drill_id is not None:
        query = query.where(DrillInject.drill_id == drill_id)
    if not uow.is_sqlite:
        query = query.with_for_update(skip_locked=True)
    for row in uow.session.scalars(query.order_by(DrillInject.due_at, DrillInject.id)).all():
        drill = uow.session.get(Drill, row.drill_id)
        if drill is None or drill.status != RUNNING:
            row.fired_at, row.outcome = uow.now(), "skipped: the drill had ended"
            continue
        _fire(uow, drill, row)
    return uow.session.scalar(select(DrillInject.due_at).where(DrillInject.fired_at.is_(None))
                              .order_by(DrillInject.due_at).limit(1))


def inject(uow: UnitOfWork, *, drill: Drill, inject_id: str) -> DrillInject:
    """The facilitator fires an inject now (ahead of its time, or again never)."""
    _running(drill)
    row = uow.session.scalar(select(DrillInject).where(DrillInject.drill_id == drill.id,
                                                       DrillInject.inject == inject_id))
    if row is None:
        scenario = scenarios.get_or_raise(drill.scenario)
        raise NotFound(f"Scenario {scenario.id} has no inject {inject_id!r}; it has "
                       f"{', '.join(i.id for i in scenario.injects)}.")
    if row.fired_at is not None:
        raise Conflict(f"Inject {inject_id} of {drill.ref} already fired at "
                       f"{row.fired_at:%H:%M:%S}.")
    _fire(uow, drill, row)
    return row


def post_sandbox_status(uow: UnitOfWork, *, drill: Drill, status: str, message: str) -> None:
    """A status page update, posted to the drill's sandbox page (never the public one)."""
    _running(drill)
    if not message.strip():
        raise Invalid("Say what the status page would tell the public.")
    post = {"at": uow.now().isoformat(), "status": status, "message": message,
            "by": uow.actor.label}
    drill.sandbox = [*drill.sandbox, post]
    if drill.incident_id is not None:
        timeline.add(uow, incident_id=drill.incident_id, kind="drill",
                     summary=f"Sandbox status page ({status}): {message}",
                     data={"action": "sandbox_status", "drill": drill.ref, **post})
    audit.record(uow, action="drill.sandbox_status", target=f"drill:{drill.ref}", after=post)


def scorecard(session: Session, *, drill: Drill, now: datetime) -> list[scoring.Result]:
    """The live scorecard of a running drill, or the final one of an ended drill."""
    scenario = scenarios.get_or_raise(drill.scenario)
    incident = incidents.get(session, incident_id=drill.incident_id) \
        if drill.incident_id else None
    return scoring.evaluate(session, drill=drill, scenario=scenario, incident=incident,
                            now=drill.ended_at or now, final=drill.status == ENDED)


def end(uow: UnitOfWork, *, drill: Drill) -> Drill:
    """End the drill: score it, write the scorecard to the audit chain, open
    its debrief, and check the preparedness item the run satisfies."""
    _running(drill)
    drill.status, drill.ended_at = ENDED, uow.now()
    results = scorecard(uow.session, drill=drill, now=uow.now())
    drill.scorecard, drill.score = scoring.as_rows(results), scoring.score(results)
    scenario = scenarios.get_or_raise(drill.scenario)
    if drill.incident_id is not None:
        timeline.add(uow, incident_id=drill.incident_id, kind="drill",
                     summary=f"Drill {drill.ref} ended", data={"action": "ended",
                                                               "drill": drill.ref})
        timeline.add(uow, incident_id=drill.incident_id, kind="drill",
                     summary=f"Drill {drill.ref} scored {drill.score}%",
                     data={"action": "scored", "drill": drill.ref, "score": drill.score})
    audit.record(uow, action="drill.score", target=f"drill:{drill.ref}",
                 after={"scenario": drill.scenario, "score": drill.score,
                        "scorecard": drill.scorecard})
    drill.debrief = debrief.open_debrief(uow, drill=drill, scenario=scenario, results=results)
    preparedness.verify(uow, item_id=PREPAREDNESS_ITEM,
                        note=f"{drill.ref} ({drill.scenario}) finished, scored {drill.score}%")
    if drill.mode == "live" and scenario.live is not None:
        fault = scenario.live.fault
        uow.after_commit(lambda: set_fault(fault, on=False))
    return drill


def get(session: Session, *, drill_id: int) -> Drill | None:
    return session.get(Drill, drill_id)


def get_by_ref(session: Session, *, ref: str, lock: bool = False) -> Drill | None:
    number = str(ref).strip().upper().removeprefix("DR-")
    return session.get(Drill, int(number), with_for_update=lock) \
        if number.isdigit() and len(number) < 12 else None


def get_by_ref_or_raise(session: Session, *, ref: str, lock: bool = False) -> Drill:
    drill = get_by_ref(session, ref=ref, lock=lock)
    if drill is None:
        raise NotFound(f"There is no drill {ref!r}; drill ids look like DR-3.")
    return drill


def for_incident(session: Session, *, incident_id: int) -> Drill | None:
    """The drill whose incident this is (the first one, should several claim it)."""
    return session.scalar(select(Drill).where(Drill.incident_id == incident_id)
                          .order_by(Drill.id).limit(1))


def get_all(session: Session, *, status: str | None = None,
            since: datetime | None = None) -> list[Drill]:
    query = select(Drill).order_by(Drill.id.desc())
    if status:
        query = query.where(Drill.status == status)
    if since is not None:
        query = query.where(Drill.started_at >= since)
    return list(session.scalars(query))


def running_for_incident(session: Session, *, incident_id: int) -> Drill | None:
    """The running drill whose incident this is (None for none)."""
    drill = for_incident(session, incident_id=incident_id)
    return drill if drill is not None and drill.status == RUNNING else None


def running_live(session: Session) -> list[Drill]:
    return list(session.scalars(select(Drill).where(Drill.status == RUNNING,
                                                    Drill.mode == "live")))


def history(session: Session, *, since: datetime) -> list[dict[str, Any]]:
    """Ended drills, oldest first, each with the change in score since the
    previous run of the same scenario by the same team (the trend)."""
    rows = sorted(get_all(session, status=ENDED, since=since), key=lambda d: d.id)
    previous: dict[tuple[str, str], int] = {}
    found = []
    for drill in rows:
        key = (drill.scenario, drill.team)
        before = previous.get(key)
        found.append({"drill": drill.ref, "scenario": drill.scenario, "team": drill.team,
                      "date": drill.started_at.date().isoformat(), "score": drill.score,
                      "participants": drill.participants,
                      "trend": None if before is None or drill.score is None
                      else drill.score - before})
        if drill.score is not None:
            previous[key] = drill.score
    return found


def set_fault(fault: str, *, on: bool) -> None:
    """Switch a fault of the demo service (its control API, see demo/), after
    the drill's change committed: a demo service that cannot be reached is
    logged, never turned into an error for a drill that has started."""
    base = drills_settings.get().drills_demo_url.rstrip("/")
    try:
        outbound.check_url(base, field="WARROOM_DRILLS_DEMO_URL")
        answer = outbound.client().post(f"{base}/faults/{fault}", json={"on": on},
                                        timeout=5.0)
    except (httpx.HTTPError, Problem) as failed:
        log.warning("demo fault not switched", fault=fault, on=on, error=str(failed))
        return
    if answer.status_code != 200:
        log.warning("demo fault not switched", fault=fault, on=on, status=answer.status_code)


def _fire(uow: UnitOfWork, drill: Drill, row: DrillInject) -> None:
    scenario = scenarios.get_or_raise(drill.scenario)
    spec = next(i for i in scenario.injects if i.id == row.inject)
    row.fired_at, row.fired_by = uow.now(), uow.actor.label
    if drill.mode == "live" and spec.alert is not None:
        row.outcome = "skipped: in a live drill the real alert plays this inject"
    else:
        row.outcome = injects.fire(uow, drill=drill, inject=spec, labels=labels(drill))
    if drill.incident_id is not None:
        timeline.add(uow, incident_id=drill.incident_id, kind="drill",
                     summary=f"Inject {spec.id} ({spec.kind}): {row.outcome}",
                     data={"action": "inject", "drill": drill.ref, "inject": spec.id,
                           "kind": spec.kind})
    audit.record(uow, action="drill.inject", target=f"drill:{drill.ref}",
                 after={"inject": spec.id, "kind": spec.kind, "outcome": row.outcome})


def link(uow: UnitOfWork, *, drill: Drill, incident: Incident) -> None:
    """The drill's incident is the first one opened for it (by its first alert
    inject, by the real alert of a live drill, or declared at the start)."""
    if drill.incident_id is not None:
        return
    drill.incident_id = incident.id
    timeline.add(uow, incident_id=incident.id, kind="drill",
                 summary=f"Drill {drill.ref} started: {drill.title} (facilitator "
                         f"{drill.facilitator}; participants {', '.join(drill.participants)})",
                 data={"action": "started", "drill": drill.ref, "scenario": drill.scenario})


def _declare(uow: UnitOfWork, drill: Drill, scenario: scenarios.Scenario) -> Incident:
    incident = incidents.declare(uow, declaration=incidents.Declaration(
        type=scenario.type, severity=scenario.severity, title=f"[DRILL] {scenario.title}",
        description=scenario.summary, labels=labels(drill), is_drill=True, source="drill",
        context={"drill": drill.ref}))
    link(uow, drill=drill, incident=incident)
    return incident


def _real(drill: Drill, scenario_minutes: float) -> timedelta:
    return timedelta(minutes=scenario_minutes / drill.time_scale)


def _running(drill: Drill) -> None:
    if drill.status != RUNNING:
        raise Conflict(f"{drill.ref} has ended.")


def _people(session: Session, names: list[str]) -> list[str]:
    found = []
    for name in (n.strip() for n in names):
        if not name:
            continue
        user = users.get_by_username(session, username=name)
        if user is None or not user.is_active:
            raise Invalid(f"There is no active warroom user {name!r} to take part.")
        if user.username not in found:
            found.append(user.username)
    if len(found) < 2:
        raise Invalid("A drill needs a facilitator and at least one participant.")
    return found
