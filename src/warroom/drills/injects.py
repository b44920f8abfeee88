"""Fire one inject: an alert into intake, a message to the responders, a
fixture file to collect as evidence, or a scripted change to the incident.

An alert inject is received by intake exactly as an alert from a tool is, in
the generic shape, with the drill's labels (``warroom_drill``,
``drill_participants``) added: intake's dedup, routing, grouping,
escalation and playbook selection all run on it.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from warroom.auth import service as users
from warroom.drills import scenarios
from warroom.errors import Problem
from warroom.evidence import service as evidence
from warroom.evidence.schemas import ItemIn
from warroom.incidents import service as incidents
from warroom.intake import service as intake
from warroom.intake.sources import generic
from warroom.notify.service import notify_person

if TYPE_CHECKING:
    from warroom.db import UnitOfWork
    from warroom.drills.models import Drill
    from warroom.drills.scenarios import Inject

SOURCE = "drill"


def fire(uow: UnitOfWork, *, drill: Drill, inject: Inject, labels: dict[str, str]) -> str:
    """Do what the inject says; answers one line saying what happened."""
    if inject.alert is not None:
        return _alert(uow, inject, labels)
    if inject.message is not None:
        _tell(uow, drill, subject=f"{drill.ref}: {inject.message[:80]}", body=inject.message,
              key=f"drill:{drill.id}:{inject.id}")
        return f"told {', '.join(drill.participants)}: {inject.message}"
    if inject.fixture is not None:
        return _fixture(uow, drill, inject)
    return _change(uow, drill, inject)


def _alert(uow: UnitOfWork, inject: Inject, labels: dict[str, str]) -> str:
    spec = inject.alert
    assert spec is not None  # fire() dispatches on it
    alert = generic.GenericAlert.model_validate({
        "name": spec.name, "severity": spec.severity, "summary": spec.summary,
        "labels": {**spec.labels, **labels}})
    report = intake.receive(uow, alerts=[generic.incoming(alert)],
                            source=generic.SOURCE.name, internal=True)
    outcome = report.alerts[0] if report.alerts else {}
    where = (f"opened {', '.join(report.opened)}" if report.opened else
             f"joined {', '.join(report.attached)}" if report.attached else
             f"held ({outcome.get('held')})" if outcome.get("held") else "deduplicated")
    return f"alert {spec.name} sent through intake: {where}"


def _fixture(uow: UnitOfWork, drill: Drill, inject: Inject) -> str:
    path = scenarios.fixtures_directory() / (inject.fixture or "")
    content = path.read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    filed = ""
    if drill.incident_id is not None:
        # Filed in the drill incident's locker so participants collect (and
        # preserve) a real item, its custody trail naming the drill.
        incident = incidents.get_for_update(uow, ref=f"INC-{drill.incident_id}")
        item = evidence.register_content(uow, incident=incident, content=content, meta=ItemIn(
            kind="file", title=f"[DRILL] {inject.fixture}", original_filename=inject.fixture,
            description=f"Fixture of drill {drill.ref} (inject {inject.id}).",
            collected_by=f"drill {drill.ref}", tlp="green"))
        evidence.note(uow, item, action="note",
                      purpose=f"filed by drill {drill.ref}, inject {inject.id}")
        filed = f" It is filed as {item.ref}."
    text = (f"Evidence to collect: {inject.fixture} ({len(content)} bytes, sha256 "
            f"{digest}).{filed} "
            f"Preserve it in the evidence locker with its hash.")
    _tell(uow, drill, subject=f"{drill.ref}: evidence to collect ({inject.fixture})",
          body=text, key=f"drill:{drill.id}:{inject.id}")
    return text


def _change(uow: UnitOfWork, drill: Drill, inject: Inject) -> str:
    change = inject.change
    assert change is not None  # fire() dispatches on it
    if drill.incident_id is None:
        return "skipped: the drill has no incident yet"
    incident = incidents.get_for_update(uow, ref=f"INC-{drill.incident_id}")
    done = []
    try:
        if change.severity:
            incidents.change_severity(uow, incident=incident, severity=change.severity,
                                      reason=f"drill {drill.ref} inject {inject.id}")
            done.append(f"severity {change.severity}")
        if change.phase:
            incidents.transition(uow, incident=incident, target=change.phase,
                                 note=f"drill {drill.ref} inject {inject.id}")
            done.append(f"phase {change.phase}")
    except Problem as refused:
        done.append(f"refused: {refused}")
    if change.note:
        incidents.add_note(uow, incident=incident, text=f"[DRILL] {change.note}")
        done.append("note added")
    return "changed " + ", ".join(done)


def _tell(uow: UnitOfWork, drill: Drill, *, subject: str, body: str, key: str) -> None:
    for name in drill.participants:
        user = users.get_by_username(uow.session, username=name)
        if user is not None:
            notify_person(uow, user_id=user.id, kind="drill", subject=f"[DRILL] {subject}",
                          body=body,
                          incident_id=drill.incident_id, key=f"{key}:{user.id}")
