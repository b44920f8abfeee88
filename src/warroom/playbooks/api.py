"""HTTP routes for playbooks, the steps of an incident, and preparedness."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Request

from warroom.auth.deps import requires
from warroom.auth.permissions import Permission
from warroom.db import Actor, UnitOfWork
from warroom.http import read_session, write_unit
from warroom.incidents import service as incidents
from warroom.playbooks import catalogue, preparedness, service, views
from warroom.playbooks.format import json_schema
from warroom.playbooks.models import StepRun
from warroom.playbooks.schemas import (
    ApproveIn,
    AttachIn,
    IncidentPlaybooksOut,
    ItemTickIn,
    OwnerIn,
    PlaybookOut,
    PreparednessItemOut,
    SkipIn,
    StepOut,
    TickIn,
    VerifyIn,
)

if TYPE_CHECKING:
    from warroom.incidents.models import Incident

router = APIRouter(tags=["playbooks"])

Reader = Annotated[Actor, requires(Permission.playbook_read)]
Runner = Annotated[Actor, requires(Permission.playbook_run)]


@router.get("/api/v1/playbooks", response_model=list[PlaybookOut])
def list_playbooks(request: Request, actor: Reader) -> list[PlaybookOut]:
    """The valid playbooks on disk, with their versions, gates and the open
    action items that ask for a change to each (seed 002 "Procedure Updates")."""
    with read_session(request) as session:
        return views.catalogue_out(session, catalogue.get_all(), request.app.state.clock.now())


@router.get("/api/v1/playbook-schema")
def playbook_schema(actor: Reader) -> dict[str, Any]:
    """The JSON Schema of a playbook file."""
    return json.loads(json_schema())


@router.get("/api/v1/playbooks/{name}")
def get_playbook(name: str, request: Request, actor: Reader) -> dict[str, Any]:
    """One playbook: its summary (with its open action items) and its full content."""
    loaded = catalogue.get_by_name_or_raise(name)
    with read_session(request) as session:
        summary = views.catalogue_out(session, [loaded], request.app.state.clock.now())[0]
    return {**summary.model_dump(mode="json"),
            "content": loaded.playbook.model_dump(mode="json", exclude_none=True)}


@router.get("/api/v1/incidents/{ref}/playbooks", response_model=IncidentPlaybooksOut)
def incident_playbooks(ref: str, request: Request, actor: Reader) -> IncidentPlaybooksOut:
    """The playbooks attached to an incident (with versions) and all their steps."""
    with read_session(request) as session:
        incident = incidents.get_by_ref_or_raise(session, ref=ref)
        return views.incident_playbooks(session, incident, request.app.state.clock.now())


@router.post("/api/v1/incidents/{ref}/playbooks", status_code=201,
             response_model=IncidentPlaybooksOut)
def attach(ref: str, body: AttachIn, request: Request, actor: Runner) -> IncidentPlaybooksOut:
    """Attach another playbook to an incident."""
    with write_unit(request, actor) as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        service.attach(uow, incident=incident, name=body.playbook, how="manual")
        return views.incident_playbooks(uow.session, incident, uow.now())


@router.get("/api/v1/incidents/{ref}/steps", response_model=list[StepOut])
def list_steps(ref: str, request: Request, actor: Reader,
               role: Annotated[str | None, Query(max_length=40)] = None,
               state: Annotated[str | None, Query(pattern="^(overdue|due_now|upcoming|done)$")]
               = None) -> list[StepOut]:
    """Steps of an incident: filter by owning role and by state."""
    with read_session(request) as session:
        incident = incidents.get_by_ref_or_raise(session, ref=ref)
        steps = service.get_steps(session, incident_id=incident.id)
        now = request.app.state.clock.now()
        shown = [views.step_out(s, steps, incident, now) for s in steps]
        return [s for s in shown if (role is None or s.role == role)
                and (state is None or s.state == state)]


@router.get("/api/v1/incidents/{ref}/steps/{step}", response_model=StepOut)
def get_step(ref: str, step: str, request: Request, actor: Reader) -> StepOut:
    """One step with its last output."""
    with read_session(request) as session:
        incident = incidents.get_by_ref_or_raise(session, ref=ref)
        found = service.get_step_or_raise(session, incident=incident, ref=step)
        steps = service.get_steps(session, incident_id=incident.id)
        return views.step_out(found, steps, incident, request.app.state.clock.now(),
                              with_output=True)


@router.get("/api/v1/incidents/{ref}/steps/{step}/dry-run")
def dry_run(ref: str, step: str, request: Request, actor: Reader) -> dict[str, Any]:
    """Exactly what running the step would do (the command, the request, the
    query, the message), and whether the worker would run it now."""
    with read_session(request) as session:
        incident = incidents.get_by_ref_or_raise(session, ref=ref)
        found = service.get_step_or_raise(session, incident=incident, ref=step)
        return service.dry_run(session, incident=incident, step=found)


@router.post("/api/v1/incidents/{ref}/steps/{step}/tick", response_model=StepOut)
def tick(ref: str, step: str, request: Request, actor: Runner,
         body: TickIn | None = None) -> StepOut:
    """Mark a step done (checklists; commands and calls done by hand)."""
    return _change(request, actor, ref, step, lambda uow, incident, found: service.tick(
        uow, incident=incident, step=found, notes=(body or TickIn()).notes))


@router.post("/api/v1/incidents/{ref}/steps/{step}/items/{item}", response_model=StepOut)
def tick_item(ref: str, step: str, item: str, request: Request, actor: Runner,
              body: ItemTickIn | None = None) -> StepOut:
    """Tick one checklist item (its number from 1, or its text); the last one
    finishes the step."""
    return _change(request, actor, ref, step, lambda uow, incident, found: service.tick_item(
        uow, incident=incident, step=found, item=item, note=(body or ItemTickIn()).note))


@router.delete("/api/v1/incidents/{ref}/steps/{step}/items/{item}", response_model=StepOut)
def untick_item(ref: str, step: str, item: str, request: Request, actor: Runner) -> StepOut:
    """Take back an item's tick while the step is not done."""
    return _change(request, actor, ref, step, lambda uow, incident, found:
                   service.untick_item(uow, incident=incident, step=found, item=item))


@router.post("/api/v1/incidents/{ref}/steps/{step}/skip", response_model=StepOut)
def skip(ref: str, step: str, body: SkipIn, request: Request, actor: Runner) -> StepOut:
    """The step does not apply; the reason is kept (gates cannot be skipped)."""
    return _change(request, actor, ref, step, lambda uow, incident, found: service.skip(
        uow, incident=incident, step=found, reason=body.reason))


@router.post("/api/v1/incidents/{ref}/steps/{step}/approve", response_model=StepOut)
def approve(ref: str, step: str, request: Request,
            actor: Annotated[Actor, requires(Permission.playbook_approve)],
            body: ApproveIn | None = None) -> StepOut:
    """Allow a destructive step to run."""
    return _change(request, actor, ref, step, lambda uow, incident, found: service.approve(
        uow, incident=incident, step=found, note=(body or ApproveIn()).note))


@router.post("/api/v1/incidents/{ref}/steps/{step}/run", response_model=StepOut)
def run(ref: str, step: str, request: Request, actor: Runner) -> StepOut:
    """Ask the worker to run the step now (for a check: check now)."""
    return _change(request, actor, ref, step, lambda uow, incident, found:
                   service.request_run(uow, incident=incident, step=found))


@router.get("/api/v1/preparedness", response_model=list[PreparednessItemOut])
def list_preparedness(request: Request, actor: Reader) -> list[PreparednessItemOut]:
    """Seed 002's preparedness checklist: owner and last verification per item."""
    with read_session(request) as session:
        return [views.item_out(item)
                for item in preparedness.get_all(session, now=request.app.state.clock.now())]


@router.post("/api/v1/preparedness/{item}/verify", response_model=PreparednessItemOut)
def verify_item(item: str, request: Request, actor: Runner,
                body: VerifyIn | None = None) -> PreparednessItemOut:
    """Record that a person verified the item today."""
    with write_unit(request, actor) as uow:
        return views.item_out(preparedness.verify(uow, item_id=item,
                                                  note=(body or VerifyIn()).note))


@router.put("/api/v1/preparedness/{item}/owner", response_model=PreparednessItemOut)
def set_owner(item: str, body: OwnerIn, request: Request,
              actor: Annotated[Actor, requires(Permission.playbook_admin)]
              ) -> PreparednessItemOut:
    with write_unit(request, actor) as uow:
        return views.item_out(preparedness.set_owner(uow, item_id=item, owner=body.owner))


def _change(request: Request, actor: Actor, ref: str, step: str,
            act: Callable[[UnitOfWork, Incident, StepRun], object]) -> StepOut:
    with write_unit(request, actor) as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        found = service.get_step_or_raise(uow.session, incident=incident, ref=step)
        act(uow, incident, found)
        steps = service.get_steps(uow.session, incident_id=incident.id)
        return views.step_out(found, steps, incident, uow.now(), with_output=True)
