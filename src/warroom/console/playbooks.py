"""The playbook catalogue, ``/playbooks``: every procedure on disk with the
open action items that ask for a change to it (seed 002 "Procedure
Updates"), and one page per playbook with its phases and steps.

It reads what ``GET /api/v1/playbooks`` returns (``playbooks.views``), with
the same permission (playbook:read), so a lesson recorded in a review shows
up against the procedure it should change wherever someone looks. Reading
only: playbooks are files under version control, changed by review there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Request

from warroom.auth.permissions import Permission
from warroom.console.screens import render
from warroom.console.session import console_requires
from warroom.db import Actor
from warroom.playbooks import catalogue, views
from warroom.playbooks.format import window_of

if TYPE_CHECKING:
    from starlette.responses import Response

router = APIRouter(include_in_schema=False)
Reader = Annotated[Actor, console_requires(Permission.playbook_read)]


@router.get("/playbooks")
def catalogue_page(request: Request, actor: Reader) -> Response:
    """Every valid playbook, those with open action items first."""
    with request.app.state.database.read() as session:
        rows = views.catalogue_out(session, catalogue.get_all(), request.app.state.clock.now())
    rows.sort(key=lambda r: (-r.open_items, r.title.lower()))
    return render(request, actor, "playbooks.html", {"rows": rows})


@router.get("/playbooks/{name}")
def playbook_page(name: str, request: Request, actor: Reader) -> Response:
    """One playbook: its open action items, then each phase's steps with their
    due windows, owners, gates and the seed section they come from."""
    loaded = catalogue.get_by_name_or_raise(name)
    with request.app.state.database.read() as session:
        summary = views.catalogue_out(session, [loaded], request.app.state.clock.now())[0]
    phases = [{"phase": block.phase, "steps": [
        {"step": step, "window": window_of(block, step).text} for step in block.steps]}
        for block in loaded.playbook.phases]
    return render(request, actor, "playbook.html", {
        "summary": summary, "playbook": loaded.playbook, "phases": phases})
