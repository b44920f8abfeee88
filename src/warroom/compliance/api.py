"""HTTP routes of the breach register (``/api/v1/breaches``).

Records hold personal data about the breach: every read needs breach:read
(commanders and admins), changes breach:write, submissions breach:submit.
The DPO's acknowledgement link is public: the signed token is the credential.
"""

from __future__ import annotations

from html import escape
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from starlette.responses import Response

from warroom.auth.deps import public, requires
from warroom.auth.permissions import Permission
from warroom.compliance import clocks, drafts, notices, publishing, register, service, views
from warroom.compliance.schemas import Facts, OpenIn, PublishIn, SubmitIn, TransitionIn
from warroom.compliance.submissions import Sent
from warroom.db import Actor
from warroom.errors import Gone
from warroom.http import read_session, write_unit
from warroom.incidents import service as incidents
from warroom.openapi import problems

router = APIRouter(tags=["breaches"])
Reader = Annotated[Actor, requires(Permission.breach_read)]
Writer = Annotated[Actor, requires(Permission.breach_write)]
Submitter = Annotated[Actor, requires(Permission.breach_submit)]
BASE = "/api/v1/breaches"


@router.get(BASE)
def list_breaches(request: Request, actor: Reader, year: int | None = Query(None, ge=2000,
                                                                              le=2999),
                  state: str | None = Query(None, max_length=30)) -> list[dict[str, Any]]:
    """The register, oldest first."""
    with read_session(request) as session:
        return [views.breach_view(session, b) for b in service.get_all(session, year=year,
                                                                       state=state)]


@router.post(BASE, status_code=201)
def open_breach(body: OpenIn, request: Request, actor: Writer) -> dict[str, Any]:
    """Open a record, for an incident or standing alone (suspected, or
    confirmed at once when aware_at and its basis are given)."""
    with write_unit(request, actor) as uow:
        incident = incidents.get_for_update(uow, ref=body.incident) if body.incident else None
        breach = service.open_breach(uow, title=body.title, incident=incident,
                                     facts=_facts(body.facts), is_drill=body.is_drill)
        return views.breach_view(uow.session, breach)


@router.get(BASE + "/clock")
def list_clocks(request: Request, actor: Reader) -> list[dict[str, Any]]:
    """Every running clock, soonest deadline first."""
    with read_session(request) as session:
        return [views.clock_view(c, b) for c, b in clocks.running(session)]


@router.get(BASE + "/register", response_class=PlainTextResponse,
            responses={200: {"content": {"text/csv": {}, "application/json": {}}}})
def export_register(request: Request, actor: Reader,
                    year: int = Query(ge=2000, le=2999),
                    format: str = Query("json", pattern="^(csv|json)$")) -> Response:
    """The Art. 33(5) register of a year, with the audit head at export time."""
    with read_session(request) as session:
        text, head = register.export(session, year=year, fmt=format,
                                     now=request.app.state.clock.now())
    media = "text/csv" if format == "csv" else "application/json"
    return Response(text, media_type=media,
                    headers={"X-Audit-Head": f"{head['seq']}:{head['hash']}"})


@router.get(notices.PATH + "{token}", dependencies=[public()], response_class=HTMLResponse,
            responses=problems(410))
def show_ack_link(token: str, request: Request) -> Response:
    """What the link does, with the button (opening a link never acknowledges)."""
    with read_session(request) as session:
        link = notices.read_link(session, token, now=request.app.state.clock.now())
        breach = service.get(session, breach_id=link.breach_id)
    if breach is None or breach.dpo_acknowledged_at is not None:
        raise Gone("This acknowledgement link was already used.")
    return HTMLResponse(
        f"<!doctype html><title>Acknowledge {escape(breach.ref)}</title>"
        f"<h1>{escape(breach.ref)}</h1><p>Acknowledge that you, the Data Protection Officer, "
        "received the notice of this personal data breach.</p>"
        "<form method=post><button type=submit>Acknowledge</button></form>")


@router.post(notices.PATH + "{token}", dependencies=[public()], responses=problems(410))
def use_ack_link(token: str, request: Request) -> Response:
    """Record the DPO's acknowledgement; the link then stops working."""
    dpo = Actor(name="dpo (acknowledgement link)", kind="system")
    with write_unit(request, dpo) as uow:
        link = notices.read_link(uow.session, token, now=uow.now())
        breach = notices.acknowledge(uow, link)
        ref, at = breach.ref, breach.dpo_acknowledged_at
    if "text/html" in request.headers.get("accept", ""):
        return HTMLResponse(f"<!doctype html><p>{escape(ref)} acknowledged.</p>")
    return JSONResponse({"breach": ref, "acknowledged_at": at.isoformat() if at else None})


@router.get(BASE + "/{ref}")
def show(ref: str, request: Request, actor: Reader) -> dict[str, Any]:
    with read_session(request) as session:
        return views.breach_view(session, service.get_by_ref_or_raise(session, ref=ref))


@router.post(BASE + "/{ref}/assess")
def assess(ref: str, body: Facts, request: Request, actor: Writer) -> dict[str, Any]:
    """Record facts and the risk; a confirmed breach with its risk is assessed."""
    with write_unit(request, actor) as uow:
        breach = _locked(uow, ref)
        service.assess(uow, breach=breach, facts=_facts(body))
        return views.breach_view(uow.session, breach)


@router.post(BASE + "/{ref}/transition")
def transition(ref: str, body: TransitionIn, request: Request, actor: Writer) -> dict[str, Any]:
    """Move the record to its next state (the move's requirements are named)."""
    with write_unit(request, actor) as uow:
        breach = _locked(uow, ref)
        service.transition(uow, breach=breach, to=body.to, facts=_facts(body.facts))
        return views.breach_view(uow.session, breach)


@router.get(BASE + "/{ref}/draft")
def draft(ref: str, request: Request, actor: Reader,
          kind: str = Query("sa", pattern="^(sa|subjects|public)$")) -> dict[str, Any]:
    """A draft from the record: sa (EDPB template order), subjects or public."""
    with read_session(request) as session:
        breach = service.get_by_ref_or_raise(session, ref=ref)
        return drafts.render(breach, kind=kind, reporter=actor.label,
                             now=request.app.state.clock.now()).as_dict()


@router.post(BASE + "/{ref}/submit", status_code=201)
def submit(ref: str, body: SubmitIn, request: Request, actor: Submitter) -> dict[str, Any]:
    """Record a notification actually sent, with its exact content."""
    with write_unit(request, actor) as uow:
        breach = _locked(uow, ref)
        row = service.record_submission(uow, breach=breach, sent=Sent(
            regime=body.regime, obligation=body.obligation, recipient=body.recipient,
            channel=body.channel, content=body.content.encode(), filename=body.filename,
            media_type=body.media_type, reference=body.reference,
            reasons_for_delay=body.reasons_for_delay))
        return views.submission_view(row)


@router.post(BASE + "/{ref}/public-communication", status_code=201)
def post_public(ref: str, body: PublishIn, request: Request, actor: Submitter
                ) -> dict[str, Any]:
    """Post the public communication to the status page (confirm: true); a
    drill's goes to the drill's sandbox status page instead."""
    with write_unit(request, actor) as uow:
        breach = _locked(uow, ref)
        posted = publishing.publish(uow, breach=breach, confirm=body.confirm, text=body.text)
        return {"breach": breach.ref, "status_page_notice": posted.notice,
                "sandbox_status_page": posted.sandbox}


def _locked(uow: Any, ref: str) -> Any:
    breach = service.get_by_ref_or_raise(uow.session, ref=ref)
    uow.session.refresh(breach, with_for_update=True)
    return breach


def _facts(facts: Facts) -> dict[str, Any]:
    return facts.model_dump(exclude_none=True)
