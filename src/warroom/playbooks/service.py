"""Attach playbooks to incidents and work their steps.

Attaching copies every step of the playbook file into step runs with due times
(a snapshot: editing the file later changes nothing for this incident). People
tick checklist steps, skip what does not apply, approve destructive steps and
ask the worker to run a step now; the worker does the rest (see ``engine``).
Every change is audited and on the incident's timeline.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select

from warroom import wakeup
from warroom.audit import service as audit
from warroom.comms import service as comms
from warroom.errors import Conflict, Invalid, NotFound
from warroom.incidents import service as incident_service
from warroom.incidents import timeline
from warroom.incidents.phases import ORDER, Phase
from warroom.playbooks import catalogue, rendering
from warroom.playbooks.format import PHASE_ORDER, parse_duration, window_of
from warroom.playbooks.kinds import EXECUTED, Prepared
from warroom.playbooks.models import PlaybookRun, StepRun

if TYPE_CHECKING:
    from datetime import datetime, timedelta

    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork
    from warroom.incidents.models import Incident

DONE = ("succeeded", "skipped")
AUTOMATED = ("command", "http", "prometheus_check", "notify", "wait")
MEASURED = ("prometheus_check", "wait")
"""Kinds a person cannot tick: the worker measures them."""
COMMON_FIELDS = {"id", "title", "role", "due", "gate", "source", "after", "description", "kind",
                 "destructive"}


def get_runs(session: Session, *, incident_id: int) -> list[PlaybookRun]:
    return list(session.scalars(select(PlaybookRun).where(PlaybookRun.incident_id == incident_id)
                                .order_by(PlaybookRun.id)))


def get_steps(session: Session, *, incident_id: int) -> list[StepRun]:
    return list(session.scalars(select(StepRun).where(StepRun.incident_id == incident_id)
                                .order_by(StepRun.run_id, StepRun.position)))


def get_step_or_raise(session: Session, *, incident: Incident, ref: str) -> StepRun:
    """A step by number, ``playbook:step-id`` or a step id unique in the incident."""
    ref = ref.strip()
    steps = get_steps(session, incident_id=incident.id)
    if ref.isdigit():
        found = [s for s in steps if s.id == int(ref)]
    elif ":" in ref:
        found = [s for s in steps if s.ref == ref]
    else:
        found = [s for s in steps if s.step_id == ref]
    if len(found) > 1:
        raise Invalid(f"{ref!r} names a step in several playbooks of {incident.ref}; say "
                      f"which: {', '.join(s.ref for s in found)}.")
    if not found:
        raise NotFound(f"{incident.ref} has no playbook step {ref!r}; `warroom playbook steps "
                       f"{incident.ref}` lists them.")
    return found[0]


def attach(uow: UnitOfWork, *, incident: Incident, name: str, how: str = "manual"
           ) -> PlaybookRun:
    """Attach a playbook at its current version and schedule its steps."""
    loaded = catalogue.get_by_name_or_raise(name)
    if not incident.is_open:
        raise Conflict(f"{incident.ref} is closed; playbooks cannot be attached to it.")
    existing = uow.session.scalar(select(PlaybookRun).where(
        PlaybookRun.incident_id == incident.id, PlaybookRun.playbook == loaded.name))
    if existing is not None:
        raise Conflict(f"{incident.ref} already runs {loaded.name} (version {existing.version}, "
                       f"attached {existing.attached_at:%Y-%m-%d %H:%M} UTC).")
    return start_run(uow, incident=incident, loaded=loaded, how=how)


def start_run(uow: UnitOfWork, *, incident: Incident, loaded: catalogue.Loaded,
              how: str) -> PlaybookRun:
    """Create the run and its steps. The caller has checked that the incident
    is open and does not run this playbook yet (a new incident runs none)."""
    now = uow.now()
    playbook = loaded.playbook
    run = PlaybookRun(incident_id=incident.id, playbook=playbook.name, version=playbook.version,
                      content_hash=loaded.content_hash, title=playbook.title, how=how,
                      anchor_at=max(incident.declared_at, now), attached_at=now,
                      attached_by=uow.actor.label)
    uow.session.add(run)
    uow.session.flush()
    rows = _snapshots(loaded, run, incident, now)
    # One multi-row INSERT, without the ORM's per-object bookkeeping: attaching
    # is part of opening every incident, so its cost is paid in every alert storm.
    uow.session.connection().execute(insert(StepRun.__table__), rows)
    position = len(rows) - 1
    if how == "manual":
        # Attachments made by the declaration itself are part of it: the run row
        # keeps version, hash and how it was chosen; a person's attachment is
        # their own change, so it is audited and on the timeline.
        record = {"playbook": run.playbook, "version": run.version,
                  "content_hash": run.content_hash, "how": how, "steps": position + 1}
        audit.record(uow, action="playbook.attach", target=f"incident:{incident.ref}/playbook:"
                     f"{run.playbook}", after=record)
        timeline.add(uow, incident_id=incident.id, kind="step", data=record,
                     summary=f"Playbook {run.playbook} {run.version} ({run.content_hash[:12]}) "
                             f"attached: {position + 1} steps")
    wakeup.notify(uow)
    return run


def tick(uow: UnitOfWork, *, incident: Incident, step: StepRun,
         notes: str | None = None) -> StepRun:
    """A person did the step (for a command or call: by hand, with notes)."""
    if step.kind in MEASURED:
        raise Conflict(f"{step.ref} is a {step.kind} step measured by the worker; ask for a "
                       "run (check now), or a commander can override its gate.")
    _refuse_if(step, running=True, done=True)
    _finish(uow, incident, step, status="succeeded", notes=notes,
            outcome={"manual": True}, verb="ticked", action="playbook.step_tick")
    return step


def tick_item(uow: UnitOfWork, *, incident: Incident, step: StepRun, item: str,
              note: str | None = None) -> StepRun:
    """A person did one item of a checklist step; the last one finishes the step."""
    number, text = _item_or_raise(step, item)
    _refuse_if(step, done=True)
    ticks = dict(step.item_ticks or {})
    if number in ticks:
        raise Conflict(f"{step.ref} item {number} ({text}) was already ticked by "
                       f"{ticks[number]['by']} at {ticks[number]['at']}.")
    ticks[number] = {"item": text, "by": uow.actor.label, "at": uow.now().isoformat(),
                     "note": note}
    step.item_ticks = ticks  # a new dict, so the JSON column is written
    _log(uow, incident, step, f"item {number} ({text}) ticked{': ' + note if note else ''}",
         action="playbook.item_tick", data={"item": int(number), "text": text, "note": note})
    if len(ticks) == len(step.params.get("items") or []):
        _finish(uow, incident, step, status="succeeded", notes="every item ticked",
                outcome={"manual": True, "items": len(ticks)}, verb="done",
                action="playbook.step_tick")
    return step


def untick_item(uow: UnitOfWork, *, incident: Incident, step: StepRun, item: str) -> StepRun:
    """Take back one item's tick (while the step is not done)."""
    number, text = _item_or_raise(step, item)
    _refuse_if(step, done=True)
    ticks = dict(step.item_ticks or {})
    if number not in ticks:
        raise Conflict(f"{step.ref} item {number} ({text}) is not ticked.")
    before = ticks.pop(number)
    step.item_ticks = ticks
    _log(uow, incident, step, f"item {number} ({text}) unticked", action="playbook.item_untick",
         data={"item": int(number), "text": text, "was": before})
    return step


def _item_or_raise(step: StepRun, item: str) -> tuple[str, str]:
    """(item number as stored, item text) for a number from 1 or the item's text."""
    items = list(step.params.get("items") or []) if step.kind == "checklist" else []
    if not items:
        raise NotFound(f"{step.ref} has no checklist items; tick the step itself.")
    wanted = item.strip()
    if wanted.isdigit() and 1 <= int(wanted) <= len(items):
        return str(int(wanted)), items[int(wanted) - 1]
    for number, text in enumerate(items, start=1):
        if text.casefold() == wanted.casefold():
            return str(number), text
    listed = "; ".join(f"{n}. {t}" for n, t in enumerate(items, start=1))
    raise NotFound(f"{step.ref} has no item {item!r}; its items are: {listed}")


def skip(uow: UnitOfWork, *, incident: Incident, step: StepRun, reason: str) -> StepRun:
    """The step does not apply to this incident (gates cannot be skipped)."""
    if not reason.strip():
        raise Invalid("Say why the step is skipped; the reason is kept.")
    if step.gate:
        raise Conflict(f"{step.ref} is a gate and cannot be skipped; a commander can override "
                       "it, with a reason, when resolving the incident.")
    _refuse_if(step, running=True, done=True)
    _finish(uow, incident, step, status="skipped", notes=reason,
            outcome={"skipped": True}, verb="skipped", action="playbook.step_skip")
    return step


def approve(uow: UnitOfWork, *, incident: Incident, step: StepRun,
            note: str | None = None) -> StepRun:
    """A commander allows a destructive step to run."""
    if not step.destructive:
        raise Conflict(f"{step.ref} is not destructive; it needs no approval.")
    if step.approved_at is not None:
        raise Conflict(f"{step.ref} was already approved by {step.approved_by} at "
                       f"{step.approved_at:%H:%M:%S} UTC.")
    step.approved_at, step.approved_by = uow.now(), uow.actor.label
    _log(uow, incident, step, f"approved{': ' + note if note else ''}",
         action="playbook.step_approve", data={"note": note})
    wakeup.notify(uow)
    return step


def request_run(uow: UnitOfWork, *, incident: Incident, step: StepRun) -> StepRun:
    """Ask the worker to run (or re-check) an automated step now."""
    if step.kind not in AUTOMATED:
        raise Conflict(f"{step.ref} is a checklist step; tick it when it is done.")
    _refuse_if(step, running=True)
    if not incident.is_open:
        raise Conflict(f"{incident.ref} is closed; its steps no longer run.")
    if step.destructive and step.approved_at is None:
        raise Conflict(f"{step.ref} is destructive: a commander must approve it first "
                       f"(`warroom playbook approve {incident.ref} {step.step_id}`).")
    blocked = readiness(uow.session, incident=incident, step=step)
    if blocked:
        raise Conflict(f"{step.ref} cannot run: {blocked}.")
    now = uow.now()
    step.status = "pending" if step.status in ("blocked", "failed") else step.status
    step.run_at, step.requested_at, step.requested_by = now, now, uow.actor.label
    step.blocked_reason = None
    _log(uow, incident, step, "run requested", action="playbook.step_request")
    wakeup.notify(uow)
    return step


def readiness(session: Session, *, incident: Incident, step: StepRun) -> str | None:
    """Why the worker would not run the step now (None when it would)."""
    if step.kind not in EXECUTED:
        return None
    try:
        return prepare(session, incident=incident, step=step).blocked
    except rendering.NotReady as missing:
        return missing.reason


def prepare(session: Session, *, incident: Incident, step: StepRun) -> Prepared:
    """The exact action an executed step would take (raises NotReady)."""
    return EXECUTED[step.kind].prepare(step.params, rendering.context(incident))


def dry_run(session: Session, *, incident: Incident, step: StepRun) -> dict[str, Any]:
    """What running the step would do, without doing it."""
    answer: dict[str, Any] = {"step": step.ref, "kind": step.kind, "title": step.title,
                              "destructive": step.destructive,
                              "approved": step.approved_at is not None}
    if step.kind in EXECUTED:
        try:
            prepared = prepare(session, incident=incident, step=step)
        except rendering.NotReady as missing:
            return {**answer, "would_run": False, "reason": missing.reason}
        reason = prepared.blocked or ("awaiting a commander's approval" if step.destructive
                                      and step.approved_at is None else None)
        return {**answer, **prepared.spec, "timeout_seconds": prepared.timeout,
                "would_run": reason is None, "reason": reason}
    if step.kind == "notify":
        preview = comms.preview(session, incident=incident, template=step.params["template"],
                                fields=step.params.get("fields") or {})
        return {**answer, "to": step.params["to"], "subject": preview.subject,
                "body": preview.body, "would_run": True, "reason": None}
    if step.kind == "wait":
        return {**answer, "duration": step.params["duration"], "would_run": True,
                "reason": None}
    return {**answer, "items": step.params.get("items", []), "would_run": False,
            "reason": "a person does this step and ticks it"}


def on_phase_entered(uow: UnitOfWork, incident: Incident, *, previous: Phase,
                     current: Phase) -> None:
    """Reaching a phase makes its automated steps start now; the response being
    over stops what is still scheduled."""
    now = uow.now()
    steps = get_steps(uow.session, incident_id=incident.id)
    done = {(s.run_id, s.step_id) for s in steps if s.status in DONE}
    for step in steps:
        if step.status in ("running", "waiting"):
            continue
        if current is Phase.closed or (current is Phase.lessons_learned
                                       and step.phase != Phase.lessons_learned.value):
            step.run_at = None
        elif (step.kind in AUTOMATED and step.status == "pending"
              and all((step.run_id, name) in done for name in step.after or [])):
            start = start_at(step, incident, now)
            if start is not None and (step.run_at is None or step.run_at > start):
                step.run_at = start
                wakeup.notify(uow)


def release_followers(uow: UnitOfWork, step: StepRun) -> None:
    """Schedule the automated steps that were waiting for ``step``."""
    siblings = list(uow.session.scalars(select(StepRun).where(StepRun.run_id == step.run_id)))
    done = {s.step_id for s in siblings if s.status in DONE}
    incident = incident_service.get(uow.session, incident_id=step.incident_id)
    for follower in siblings:
        if (incident is not None and step.step_id in (follower.after or [])
                and follower.kind in AUTOMATED and follower.status == "pending"
                and follower.run_at is None and all(name in done for name in follower.after)):
            follower.run_at = start_at(follower, incident, uow.now())
            wakeup.notify(uow)


def phase_reached(step: StepRun, incident: Incident) -> bool:
    return phase_reached_by(step.phase, incident)


def phase_reached_by(phase: str, incident: Incident) -> bool:
    return ORDER.index(Phase(incident.phase)) >= PHASE_ORDER.index(phase)


def start_at(step: StepRun, incident: Incident, now: datetime) -> datetime | None:
    return _start_at(step.phase, step.due_from, incident, now)


def _start_at(phase: str, due_from: datetime | None, incident: Incident,
              now: datetime) -> datetime | None:
    """When an automated step may start: now once the incident has reached its
    phase, else when its window opens (never, for a "within" deadline)."""
    if phase_reached_by(phase, incident):
        return now
    return max(now, due_from) if due_from is not None else None


def recheck_delay(step: StepRun, default_seconds: float) -> float:
    recheck = step.params.get("recheck")
    return parse_duration(recheck).total_seconds() if recheck else default_seconds


@dataclass(frozen=True)
class _StepTemplate:
    """What every incident's copy of a step shares; only times and ids differ."""

    row: dict[str, Any]
    start: timedelta | None
    end: timedelta | None
    schedules_itself: bool


_TEMPLATES: dict[tuple[str, str], tuple[_StepTemplate, ...]] = {}


def _templates(loaded: catalogue.Loaded) -> tuple[_StepTemplate, ...]:
    """Built once per playbook version (keyed by the file's content hash):
    attaching is part of opening every incident."""
    key = (loaded.name, loaded.content_hash)
    if key not in _TEMPLATES:
        if len(_TEMPLATES) > 256:
            _TEMPLATES.clear()
        _TEMPLATES[key] = _build_templates(loaded)
    return _TEMPLATES[key]


def _build_templates(loaded: catalogue.Loaded) -> tuple[_StepTemplate, ...]:
    templates = []
    for position, (block, step) in enumerate(loaded.playbook.steps()):
        window = window_of(block, step)
        templates.append(_StepTemplate(
            row={"playbook": loaded.playbook.name, "step_id": step.id, "position": position,
                 "phase": block.phase, "title": step.title, "role": step.role,
                 "kind": step.kind,
                 "params": step.model_dump(mode="json", exclude=COMMON_FIELDS),
                 "gate": step.gate, "destructive": getattr(step, "destructive", False),
                 "source": step.source, "after": list(step.after),
                 "due_window": window.text, "status": "pending", "attempts": 0},
            start=window.start, end=window.end,
            schedules_itself=step.kind in AUTOMATED and not step.after))
    return tuple(templates)


def _snapshots(loaded: catalogue.Loaded, run: PlaybookRun, incident: Incident,
               now: datetime) -> list[dict[str, Any]]:
    """The step runs' rows: the playbook's steps as they are at this version."""
    rows = []
    for template in _templates(loaded):
        due_from = run.anchor_at + template.start if template.start is not None else None
        due_by = run.anchor_at + template.end if template.end is not None else None
        row = {**template.row, "params": copy.deepcopy(template.row["params"]),
               "after": list(template.row["after"]), "run_id": run.id,
               "incident_id": incident.id, "due_from": due_from, "due_by": due_by,
               "remind_at": due_by, "run_at": None}
        if template.schedules_itself:
            row["run_at"] = _start_at(row["phase"], due_from, incident, now)
        rows.append(row)
    return rows


def _finish(uow: UnitOfWork, incident: Incident, step: StepRun, *, status: str,
            notes: str | None, outcome: dict[str, Any], verb: str, action: str) -> None:
    step.status, step.notes, step.outcome = status, notes, outcome
    step.done_by, step.finished_at = uow.actor.label, uow.now()
    step.run_at, step.blocked_reason = None, None
    suffix = f": {notes}" if notes else ""
    _log(uow, incident, step, f"{verb}{suffix}", action=action,
         data={"status": status, "notes": notes})
    release_followers(uow, step)


def _log(uow: UnitOfWork, incident: Incident, step: StepRun, what: str, *, action: str,
         data: dict[str, Any] | None = None) -> None:
    details = {"step": step.ref, "step_run": step.id, **(data or {})}
    timeline.add(uow, incident_id=incident.id, kind="step",
                 summary=f"{step.ref} ({step.title}) {what}", data=details)
    audit.record(uow, action=action, target=f"incident:{incident.ref}/step:{step.ref}",
                 after=details)


def _refuse_if(step: StepRun, *, running: bool = False, done: bool = False) -> None:
    if running and step.status == "running":
        raise Conflict(f"{step.ref} is running right now; wait for its result.")
    if done and step.status in DONE:
        raise Conflict(f"{step.ref} is already {step.status} (by {step.done_by}).")
