"""The breach register screens: ``/breaches`` (the register), ``/breaches/{ref}``
(one record: clocks, drafts, submissions, moves) and the incident tab
``/incidents/{ref}/breaches``.

Records hold personal data, so every screen needs breach:read, like the API;
changes need breach:write and recording a submission breach:submit. Each form
calls the compliance service in a unit of work acting as the signed-in
person; a refusal re-renders the screen with the domain's sentence beside the
form (status 4xx) and the unit of work rolls back, so nothing is half-saved.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from pydantic import ValidationError
from starlette.responses import Response

from warroom.auth.permissions import Permission
from warroom.compliance import clocks, drafts, publishing, regimes, register
from warroom.compliance import service as breaches
from warroom.compliance.schemas import PublishIn
from warroom.compliance.submissions import Sent
from warroom.console import breach_facts, breach_pdf
from warroom.console.breach_facts import AssessForm
from warroom.console.screens import render, see_other
from warroom.console.session import check_csrf, console_requires
from warroom.db import Actor
from warroom.errors import Problem
from warroom.http import client_ip
from warroom.incidents import service as incident_service
from warroom.text import message

router = APIRouter(include_in_schema=False)
Reader = Annotated[Actor, console_requires(Permission.breach_read)]
Writer = Annotated[Actor, console_requires(Permission.breach_write)]
Submitter = Annotated[Actor, console_requires(Permission.breach_submit)]
CSRF = [Depends(check_csrf)]
DRAFTS = (("sa", "Supervisory authority"), ("subjects", "Data subjects"),
          ("public", "Public communication"))
ART34_LABELS = {"a": "(a) the data was unintelligible to others (encrypted)",
                "b": "(b) later measures removed the high risk",
                "c": "(c) disproportionate effort: a public communication instead"}
MOVE_FIELDS = (("basis of awareness", "awareness_basis"), ("needs its risk", "risk"),
               ("rationale for the risk", "risk_rationale"),
               ("exception relied on", "art34_exception"),
               ("exception of", "art34_rationale"))
"""Where the transition form shows a refusal: the field its sentence names."""


def _unit(request: Request, actor: Actor) -> Any:
    return request.app.state.database.unit_of_work(actor, source_ip=client_ip(request),
                                                   clock=request.app.state.clock)


def _status(problem: Problem) -> int:
    return problem.status if problem.status < 500 else 400


def _next_due(session: Any, breach: Any) -> Any:
    """The soonest deadline still running (None when nothing is due)."""
    due = [c.due_at for c in clocks.clocks_of(session, breach_id=breach.id)
           if c.state == "running" and c.due_at is not None]
    return min(due, default=None)


# ---- the register -------------------------------------------------------------


@router.get("/breaches")
def register_page(request: Request, actor: Reader,
                  year: Annotated[int | None, Query(ge=2000, le=2999)] = None) -> Response:
    return _register(request, actor, year=year, form={}, errors={})


def _register(request: Request, actor: Actor, *, year: int | None, form: dict[str, str],
              errors: dict[str, str], status: int = 200) -> Response:
    now = request.app.state.clock.now()
    with request.app.state.database.read() as session:
        years = sorted({b.year for b in breaches.get_all(session)} | {now.year}, reverse=True)
        rows = [{"breach": b, "next_due": _next_due(session, b)}
                for b in breaches.get_all(session, year=year)]
    return render(request, actor, "breaches.html", {
        "rows": rows, "year": year, "years": years, "export_year": year or now.year,
        "now": now, "form": form, "errors": errors}, status=status)


@router.get("/breaches/export")
def export(request: Request, actor: Reader,
           year: Annotated[int, Query(ge=2000, le=2999)],
           format: Annotated[str, Query(pattern="^(csv|json)$")] = "csv") -> Response:
    """The Art. 33(5) register of a year, as the API and CLI export it."""
    with request.app.state.database.read() as session:
        text, head = register.export(session, year=year, fmt=format,
                                     now=request.app.state.clock.now())
    return Response(text, media_type="text/csv" if format == "csv" else "application/json",
                    headers={"X-Audit-Head": f"{head['seq']}:{head['hash']}",
                             "Content-Disposition":
                                 f'attachment; filename="breach-register-{year}.{format}"'})


@router.post("/breaches", dependencies=CSRF)
def open_alone(request: Request, actor: Writer,
               title: Annotated[str, Form(max_length=300)] = "") -> Response:
    """A record standing alone (a breach handled outside an incident)."""
    form = {"title": title}
    try:
        with _unit(request, actor) as uow:
            ref = breaches.open_breach(uow, title=title, source="console").ref
    except Problem as problem:
        return _register(request, actor, year=None, form=form,
                         errors={"title": problem.detail}, status=_status(problem))
    return see_other(f"/breaches/{ref}")


# ---- one record ---------------------------------------------------------------


@router.get("/breaches/{ref}")
def record_page(request: Request, ref: str, actor: Reader) -> Response:
    return _record(request, actor, ref, form={}, errors={})


def _record(request: Request, actor: Actor, ref: str, *, form: dict[str, str],
            errors: dict[str, str], status: int = 200,
            facts: dict[str, Any] | None = None) -> Response:
    now = request.app.state.clock.now()
    with request.app.state.database.read() as session:
        breach = breaches.get_by_ref_or_raise(session, ref=ref)
        rows = clocks.clocks_of(session, breach_id=breach.id)
        rows.sort(key=lambda c: (c.due_at is None, c.due_at or now, c.regime, c.kind))
        sent = breaches.submissions(session, breach=breach)
        incident = breaches.incident_of(session, breach)
        rendered = [(kind, label, drafts.render(breach, kind=kind, reporter=actor.label,
                                                now=now)) for kind, label in DRAFTS]
        shown = facts if facts is not None else breach_facts.shown(breach)
        posted = publishing.posted(session, breach)
        session.expunge_all()
    return render(request, actor, "breach.html", {
        "breach": breach, "clocks": rows, "submissions": sent, "drafts": rendered,
        "incident_ref": incident.ref if incident else None, "now": now,
        "next_states": breaches.NEXT[breach.state], "risks": regimes.RISKS,
        "art34": breaches.ART34, "form": form, "errors": errors, "facts": shown,
        "posted": posted,
        "natures": breaches.NATURES, "risk_choices": [(r, r) for r in regimes.RISKS],
        "art34_choices": [(a, ART34_LABELS[a]) for a in breaches.ART34],
        "rationale_rule": breaches.RATIONALE_NEEDED.format(ref=breach.ref)}, status=status)


@router.post("/breaches/{ref}/assess", dependencies=CSRF)
def assess(request: Request, ref: str, actor: Writer,
           form: Annotated[AssessForm, Form()]) -> Response:
    """Record what is known, each fact on its own, without a move: only what
    differs from the record is sent; a refusal is shown beside its field and
    nothing is saved."""
    parsed = breach_facts.Parsed(facts={}, errors={}, typed=breach_facts.typed(form))
    try:
        with _unit(request, actor) as uow:
            breach = _locked(uow, ref)
            parsed = breach_facts.parse(form, breach)
            if not parsed.errors and parsed.facts:
                breaches.assess(uow, breach=breach, facts=parsed.facts)
    except Problem as problem:
        if problem.status == 404:
            raise
        return _record(request, actor, ref, form={}, facts=parsed.typed,
                       errors={breach_facts.field_of(problem.detail): problem.detail},
                       status=_status(problem))
    if parsed.errors:
        return _record(request, actor, ref, form={}, facts=parsed.typed, errors=parsed.errors,
                       status=422)
    return see_other(f"/breaches/{ref}#assess-h")


@router.get("/breaches/{ref}/draft.pdf")
def draft_pdf(request: Request, ref: str, actor: Reader,
              kind: Annotated[str, Query(pattern="^(sa|subjects|public)$")] = "sa"
              ) -> Response:
    """A draft as a PDF, for reading like the screen (breach:read)."""
    with request.app.state.database.read() as session:
        breach = breaches.get_by_ref_or_raise(session, ref=ref)
        draft = drafts.render(breach, kind=kind, reporter=actor.label,
                              now=request.app.state.clock.now())
        name, is_drill = breach.ref, breach.is_drill
    try:
        printed = breach_pdf.pdf(draft, ref=name, is_drill=is_drill)
    except Problem as problem:
        return _record(request, actor, ref, form={}, errors={"pdf": problem.detail},
                       status=problem.status)
    return Response(printed, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}-{kind}.pdf"'})


@router.post("/breaches/{ref}/transition", dependencies=CSRF)
def transition(request: Request, ref: str, actor: Writer,
               to: Annotated[str, Form(max_length=30)] = "",
               awareness_basis: Annotated[str, Form(max_length=5000)] = "",
               risk: Annotated[str, Form(max_length=20)] = "",
               risk_rationale: Annotated[str, Form(max_length=5000)] = "",
               art34_exception: Annotated[str, Form(max_length=2)] = "",
               art34_rationale: Annotated[str, Form(max_length=5000)] = "") -> Response:
    """Move the record on; the service names what a move needs."""
    form = {"to": to, "awareness_basis": awareness_basis, "risk": risk,
            "risk_rationale": risk_rationale, "art34_exception": art34_exception,
            "art34_rationale": art34_rationale}
    facts = {name: value.strip() for name, value in form.items()
             if name != "to" and value.strip()}
    if not to:
        return _record(request, actor, ref, form=form,
                       errors={"transition": "Pick the state to move to."}, status=400)
    try:
        with _unit(request, actor) as uow:
            breach = _locked(uow, ref)
            breaches.transition(uow, breach=breach, to=to, facts=facts)
    except Problem as problem:
        if problem.status == 404:
            raise
        field = next((name for words, name in MOVE_FIELDS if words in problem.detail),
                     "transition")
        return _record(request, actor, ref, form=form, errors={field: problem.detail},
                       status=_status(problem))
    return see_other(f"/breaches/{ref}")


@router.post("/breaches/{ref}/submissions", dependencies=CSRF)
def submit(request: Request, ref: str, actor: Submitter,
           regime: Annotated[str, Form(max_length=40)] = "",
           obligation: Annotated[str, Form(max_length=20)] = "",
           recipient: Annotated[str, Form(max_length=300)] = "",
           channel: Annotated[str, Form(max_length=20)] = "",
           content: Annotated[str, Form(max_length=200000)] = "",
           reference: Annotated[str, Form(max_length=200)] = "",
           reasons_for_delay: Annotated[str, Form(max_length=5000)] = "") -> Response:
    """Record a notification actually sent, with its exact text."""
    form = {"regime": regime, "obligation": obligation, "recipient": recipient,
            "channel": channel, "content": content, "reference": reference,
            "reasons_for_delay": reasons_for_delay}
    missing = [name for name in ("regime", "obligation", "recipient", "channel", "content")
               if not form[name].strip()]
    if missing:
        return _record(request, actor, ref, form=form, status=400, errors={
            "submission": f"Fill in {', '.join(missing)}: the record keeps what was sent, "
                          "to whom and how."})
    try:
        with _unit(request, actor) as uow:
            breach = _locked(uow, ref)
            breaches.record_submission(uow, breach=breach, sent=Sent(
                regime=regime.strip(), obligation=obligation.strip(),
                recipient=recipient.strip(), channel=channel.strip(),
                content=content.encode(), reference=reference.strip() or None,
                reasons_for_delay=reasons_for_delay.strip() or None))
    except Problem as problem:
        return _record(request, actor, ref, form=form, errors={"submission": problem.detail},
                       status=_status(problem))
    return see_other(f"/breaches/{ref}")


@router.post("/breaches/{ref}/public-communication", dependencies=CSRF)
def post_public(request: Request, ref: str, actor: Submitter,
                confirm: Annotated[str, Form(max_length=10)] = "",
                text: Annotated[str, Form(max_length=20000)] = "") -> Response:
    """Post the public communication (GDPR Art. 34(3)(c)) through the same
    service and permission as the API: the public status page, or a drill's
    sandbox page. The draft posted unchanged is the register's own text, so
    its missing items still refuse it."""
    form = {"public_text": text, "public_confirm": confirm}
    try:
        body = PublishIn.model_validate({"confirm": bool(confirm), "text": text or None})
    except ValidationError as invalid:
        return _record(request, actor, ref, form=form, status=422, errors={
            "public": "The text " + message(invalid.errors()[0]) + "."})
    try:
        with _unit(request, actor) as uow:
            breach = _locked(uow, ref)
            draft = drafts.render(breach, kind="public", reporter=uow.actor.label,
                                  now=uow.now())
            edited = None if _same_text(body.text, draft.text) else body.text
            publishing.publish(uow, breach=breach, confirm=body.confirm, text=edited)
    except Problem as problem:
        if problem.status == 404:
            raise
        return _record(request, actor, ref, form=form, errors={"public": problem.detail},
                       status=_status(problem))
    return see_other(f"/breaches/{ref}#draft-public")


def _same_text(typed: str | None, draft: str) -> bool:
    def lines(text: str) -> list[str]:
        return [line.rstrip() for line in text.replace("\r\n", "\n").strip().split("\n")]
    return typed is None or lines(typed) == lines(draft)


def _locked(uow: Any, ref: str) -> Any:
    breach = breaches.get_by_ref_or_raise(uow.session, ref=ref)
    uow.session.refresh(breach, with_for_update=True)
    return breach


# ---- the incident tab ---------------------------------------------------------


@router.get("/incidents/{ref}/breaches")
def incident_tab(request: Request, ref: str, actor: Reader) -> Response:
    return _tab(request, actor, ref, form={}, errors={})


def _tab(request: Request, actor: Actor, ref: str, *, form: dict[str, str],
         errors: dict[str, str], status: int = 200) -> Response:
    with request.app.state.database.read() as session:
        incident = incident_service.get_by_ref_or_raise(session, ref=ref)
        rows = [{"breach": b, "next_due": _next_due(session, b)}
                for b in breaches.for_incident(session, incident_id=incident.id)]
        shown = {"id": incident.ref, "title": incident.title, "is_drill": incident.is_drill}
        session.expunge_all()
    return render(request, actor, "breaches_incident.html", {
        "incident": shown, "rows": rows, "form": form, "errors": errors}, status=status)


@router.post("/incidents/{ref}/breaches", dependencies=CSRF)
def open_for_incident(request: Request, ref: str, actor: Writer,
                      title: Annotated[str, Form(max_length=300)] = "") -> Response:
    """A suspected record linked to the incident (its title by default)."""
    try:
        with _unit(request, actor) as uow:
            incident = incident_service.get_for_update(uow, ref=ref)
            breach_ref = breaches.open_breach(uow, title=title or None, incident=incident,
                                              source="console").ref
    except Problem as problem:
        return _tab(request, actor, ref, form={"title": title},
                    errors={"title": problem.detail}, status=_status(problem))
    return see_other(f"/breaches/{breach_ref}")
