"""The incident's evidence tab: the items, one item's record and custody log,
and every custody action (upload, register, download, transfer, seal, legal
hold, two-person destruction).

Each route calls the evidence service in a unit of work acting as the
signed-in person, with the permission the matching API route uses. An upload
is parsed as it streams (the domain's :class:`~warroom.evidence.upload.Received`
into a store sink), so a large file never sits in memory; its CSRF token is
the form's first field and is checked before a byte of the file is stored.
A refused or invalid action re-renders the page with the error beside its
form, and nothing of it is saved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import StreamingResponse
from pydantic import ValidationError
from python_multipart.multipart import parse_options_header
from starlette.concurrency import run_in_threadpool

from warroom.auth.permissions import Permission
from warroom.console.screens import render, see_other
from warroom.console.session import CsrfRejected, check_csrf, console_requires, verify_csrf
from warroom.db import Actor
from warroom.errors import Invalid, NotFound, Problem
from warroom.evidence import exporting, service
from warroom.evidence.schemas import STORED_KINDS, ExternalItemIn, ItemIn
from warroom.http import client_ip
from warroom.incidents import service as incidents

if TYPE_CHECKING:
    from starlette.responses import Response

    from warroom.evidence.models import EvidenceItem
    from warroom.evidence.store import Sink

router = APIRouter(include_in_schema=False)
Reader = Annotated[Actor, console_requires(Permission.evidence_read)]
Writer = Annotated[Actor, console_requires(Permission.evidence_write)]
Destroyer = Annotated[Actor, console_requires(Permission.evidence_destroy)]
Exporter = Annotated[Actor, console_requires(Permission.evidence_export)]
CSRF = [Depends(check_csrf)]
UPLOAD_FIELDS = ("csrf_token", "kind", "title", "description", "sha256", "source_host",
                 "custodian", "tlp")
FIELD_LIMIT = 64 * 1024
EXTERNAL_KINDS = ("external_reference", "physical_item")
TLPS = ("red", "amber+strict", "amber", "green", "clear")
NOTE_ACTIONS = ("note", "copied", "accessed", "released", "returned")
AMEND_TEXT = ("title", "description", "source_host", "source_locator", "method_tool",
              "method_version", "collected_by", "original_filename", "media_type_declared")
"""The amendable fields typed as text; ``tlp``, ``personal_data`` and
``retention_until`` have their own controls (the domain's ``AMENDABLE``)."""


# ---- pages --------------------------------------------------------------------


@router.get("/incidents/{ref}/evidence")
def evidence_list(request: Request, ref: str, actor: Reader) -> Response:
    return _list_page(request, actor, ref, form={}, errors={})


@router.get("/incidents/{ref}/evidence/{ev}")
def evidence_item(request: Request, ref: str, ev: str, actor: Reader) -> Response:
    return _item_page(request, actor, ref, ev, errors={})


def _list_page(request: Request, actor: Actor, ref: str, *, form: dict[str, Any],
               errors: dict[str, str], status: int = 200) -> Response:
    with request.app.state.database.read() as session:
        incident = incidents.get_by_ref_or_raise(session, ref=ref)
        items = service.get_all(session, incident_id=incident.id)
        head = {"id": incident.ref, "title": incident.title}
    return render(request, actor, "evidence.html", {
        "incident": head, "items": items, "form": form, "errors": errors,
        "stored_kinds": STORED_KINDS, "external_kinds": EXTERNAL_KINDS, "tlps": TLPS},
        status=status)


def _item_page(request: Request, actor: Actor, ref: str, ev: str, *,
               errors: dict[str, str], status: int = 200,
               amend: dict[str, str] | None = None) -> Response:
    with request.app.state.database.read() as session:
        incident = incidents.get_by_ref_or_raise(session, ref=ref)
        item = _item_of(session, incident.id, ev)
        events = service.custody_log(session, item)
        problems = service.check_chain(session, item)
        derived = f"EV-{item.derived_from_id}" if item.derived_from_id else None
        head = {"id": incident.ref, "title": incident.title}
        checked = next((e for e in reversed(events) if e.action == "verified"), None)
    return render(request, actor, "evidence_item.html", {
        "incident": head, "item": item, "events": events, "problems": problems,
        "derived_from": derived, "errors": errors, "last_check": checked,
        "amend": amend if amend is not None else _amend_form(item),
        "amend_text": AMEND_TEXT, "tlps": TLPS, "note_actions": NOTE_ACTIONS},
        status=status)


def _amend_form(item: EvidenceItem) -> dict[str, str]:
    """The amend form pre-filled with what is recorded now."""
    values = {name: str(getattr(item, name) or "") for name in AMEND_TEXT}
    values["tlp"] = item.tlp
    values["personal_data"] = "yes" if item.personal_data else "no"
    values["retention_until"] = (item.retention_until.strftime("%Y-%m-%dT%H:%M")
                                 if item.retention_until else "")
    return values


def _item_of(session: Any, incident_id: int, ev: str) -> EvidenceItem:
    """The item, only if it belongs to this incident (a URL names both)."""
    item = service.get(session, ref=ev)
    if item is None or item.incident_id != incident_id:
        raise NotFound(f"No evidence item {ev} on this incident.")
    return item


# ---- adding items ---------------------------------------------------------------


class _FormReceived(service.UploadReceiver):
    """The domain's streaming receiver, fed by a browser form: plain fields
    come first and become the item's metadata (and the CSRF check) when the
    ``file`` part begins."""

    def __init__(self, request: Request, open_sink: Any) -> None:
        super().__init__(open_sink)
        self.request = request
        self.fields: dict[str, bytearray] = {}
        self.field_error: tuple[str, str] | None = None
        self.csrf_error: CsrfRejected | None = None

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        if options.get(b"name", b"") == b"file" and self.meta is None:
            try:
                verify_csrf(self.request, self.text("csrf_token") or None)
            except CsrfRejected as error:
                self.csrf_error = error
                raise Invalid(error.sentence) from None
            self.meta = self.build_meta()
        super().on_headers_finished()

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._part in UPLOAD_FIELDS:
            value = self.fields.setdefault(self._part, bytearray())
            value += data[start:end]
            if len(value) > FIELD_LIMIT:
                self.fail(self._part, "This field is too long.")
            return
        super().on_part_data(data, start, end)

    def text(self, name: str) -> str:
        return bytes(self.fields.get(name, b"")).decode("utf-8", "replace").strip()

    def fail(self, field: str, message: str) -> None:
        self.field_error = (field, message)
        raise Invalid(message)

    def build_meta(self) -> ItemIn:
        declared = self.text("sha256").lower()
        if declared and (len(declared) != 64 or any(c not in "0123456789abcdef"
                                                    for c in declared)):
            self.fail("sha256", "A SHA-256 is 64 hexadecimal characters (or leave it empty).")
        raw = {"kind": self.text("kind") or "file", "title": self.text("title"),
               "description": self.text("description"),
               "source_host": self.text("source_host") or None,
               "custodian": self.text("custodian") or None, "tlp": self.text("tlp") or "amber",
               "declared_hashes": {"sha256": declared} if declared else {}}
        try:
            meta = ItemIn.model_validate(raw)
        except ValidationError as error:
            first = error.errors()[0]
            field = str(first["loc"][0]) if first["loc"] else "upload"
            self.fail(field if field in UPLOAD_FIELDS else "upload",
                      f"{field.replace('_', ' ').capitalize()}: {first['msg']}.")
        if meta.kind not in STORED_KINDS:
            self.fail("kind", "Upload stores content; register external and physical items "
                      "with the form below.")
        return meta


@router.post("/incidents/{ref}/evidence/upload")
async def upload_item(request: Request, ref: str, actor: Writer) -> Response:
    """A file from the browser, streamed into the store as it arrives."""
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.url.netloc:
        raise CsrfRejected("cross_origin")
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        await check_csrf(request)
        return _list_page(request, actor, ref, form={}, status=400, errors={
            "upload": "Choose a file to upload (the form sends it as multipart/form-data)."})
    incident_id = await run_in_threadpool(_incident_id, request, ref)

    def open_sink(meta: ItemIn) -> Sink:
        with request.app.state.database.read() as session:
            incident = incidents.get(session, incident_id=incident_id)
            return service.sink_for(session, incident)  # type: ignore[arg-type]

    got = _FormReceived(request, open_sink)
    try:
        await service.feed_upload(request.stream(), content_type, got)
        if got.sink is None or got.meta is None:
            got.fail("file", "Choose a file to upload.")
        assert got.sink is not None and got.meta is not None
        if not got.filename:
            got.discard()
            got.fail("file", "Choose a file to upload.")
        meta = got.meta.model_copy(update={
            "original_filename": (got.filename or "")[:500] or None,
            "media_type": (got.content_type or "")[:200] or None})
        stored = await run_in_threadpool(got.sink.finish, meta.declared_hashes or None)
        item_ref = await run_in_threadpool(_register, request, actor, ref, meta, stored)
    except Problem as problem:
        if got.csrf_error is not None:
            raise got.csrf_error from None
        field, message = got.field_error or (_upload_field(problem.detail), problem.detail)
        form = {name: got.text(name) for name in UPLOAD_FIELDS if name != "csrf_token"}
        return _list_page(request, actor, ref, form=form, errors={field: message},
                          status=problem.status)
    return see_other(f"/incidents/{ref}/evidence/{item_ref}")


def _upload_field(detail: str) -> str:
    lowered = detail.lower()
    if "sha256" in lowered or "sha-256" in lowered:
        return "sha256"
    if "quota" in lowered or "bytes" in lowered:
        return "file"
    return "upload"


@router.post("/incidents/{ref}/evidence/register", dependencies=CSRF)
def register_item(request: Request, ref: str, actor: Writer,
                  kind: Annotated[str, Form(max_length=40)] = "external_reference",
                  title: Annotated[str, Form(max_length=1000)] = "",
                  description: Annotated[str, Form(max_length=20000)] = "",
                  location: Annotated[str, Form(max_length=1000)] = "",
                  source_locator: Annotated[str, Form(max_length=4000)] = "",
                  custodian: Annotated[str, Form(max_length=1000)] = "") -> Response:
    """An item kept elsewhere: a reference (a ticket, a cloud snapshot) or a
    physical thing (a disk in a safe)."""
    form = {"kind": kind, "title": title, "description": description, "location": location,
            "source_locator": source_locator, "custodian": custodian}
    try:
        meta = ExternalItemIn.model_validate({
            "kind": kind, "title": title.strip(), "description": description.strip(),
            "location": location.strip() or None,
            "source_locator": source_locator.strip() or None,
            "custodian": custodian.strip() or None})
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "register"
        return _list_page(request, actor, ref, form=form, status=400, errors={
            f"register-{field}": f"{field.replace('_', ' ').capitalize()}: {first['msg']}."})
    try:
        item_ref = _register(request, actor, ref, meta, None)
    except Problem as problem:
        return _list_page(request, actor, ref, form=form, status=problem.status,
                          errors={"register-title": problem.detail})
    return see_other(f"/incidents/{ref}/evidence/{item_ref}")


def _incident_id(request: Request, ref: str) -> int:
    with request.app.state.database.read() as session:
        return incidents.get_by_ref_or_raise(session, ref=ref).id


def _register(request: Request, actor: Actor, ref: str, meta: ItemIn, stored: Any) -> str:
    with _unit(request, actor) as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        return service.register(uow, incident=incident, meta=meta, stored=stored).ref


def _unit(request: Request, actor: Actor) -> Any:
    return request.app.state.database.unit_of_work(actor, source_ip=client_ip(request),
                                                   clock=request.app.state.clock)


# ---- one item's custody actions ---------------------------------------------------


@router.post("/incidents/{ref}/evidence/{ev}/download", dependencies=CSRF, response_model=None)
def download(request: Request, ref: str, ev: str, actor: Reader,
             purpose: Annotated[str, Form(max_length=1000)] = "") -> Response:
    """The content, always as an attachment; the download is a custody event
    saying who took it and why (a POST, so the purpose is asked for first)."""
    try:
        with _unit(request, actor) as uow:
            incident = incidents.get_by_ref_or_raise(uow.session, ref=ref)
            item = _item_of(uow.session, incident.id, ev)
            item = service.get_for_update(uow, ref=item.ref)
            chunks = service.open_content(uow, item, purpose=purpose)
            name = item.original_filename or f"{item.ref}.bin"
            size, sha256 = item.size, item.sha256
    except Problem as problem:
        return _item_page(request, actor, ref, ev, status=problem.status,
                          errors={"download": problem.detail})
    return StreamingResponse(chunks, media_type="application/octet-stream",
                             headers=service.attachment_headers(name, size, sha256))


def _act(request: Request, actor: Actor, ref: str, ev: str, form: str, action: Any) -> Response:
    """Run one custody action on the item, or re-render with its error."""
    try:
        with _unit(request, actor) as uow:
            incident = incidents.get_by_ref_or_raise(uow.session, ref=ref)
            item = service.get_for_update(uow, ref=_item_of(uow.session, incident.id,
                                                             ev).ref)
            action(uow, item)
    except Problem as problem:
        if isinstance(problem, NotFound):
            raise
        return _item_page(request, actor, ref, ev, status=problem.status,
                          errors={form: problem.detail})
    return see_other(f"/incidents/{ref}/evidence/{ev}")


@router.post("/incidents/{ref}/evidence/{ev}/transfer", dependencies=CSRF)
def transfer(request: Request, ref: str, ev: str, actor: Writer,
             to: Annotated[str, Form(max_length=1000)] = "",
             location: Annotated[str, Form(max_length=1000)] = "",
             purpose: Annotated[str, Form(max_length=1000)] = "",
             tz: Annotated[str, Form(max_length=64)] = "UTC") -> Response:
    def act(uow: Any, item: EvidenceItem) -> None:
        if not to.strip() or len(to.strip()) > 200:
            raise Invalid("Say to whom the item goes (at most 200 characters).")
        if not location.strip() or len(location.strip()) > 500:
            raise Invalid("Say where the item will be kept (at most 500 characters).")
        service.transfer(uow, item, to=to.strip(), location=location.strip(),
                         purpose=purpose, tz=tz.strip() or "UTC")
    return _act(request, actor, ref, ev, "transfer", act)


@router.post("/incidents/{ref}/evidence/{ev}/seal", dependencies=CSRF)
def seal(request: Request, ref: str, ev: str, actor: Writer,
         purpose: Annotated[str, Form(max_length=1000)] = "") -> Response:
    return _act(request, actor, ref, ev, "seal",
                lambda uow, item: service.seal(uow, item, purpose=purpose))


@router.post("/incidents/{ref}/evidence/{ev}/hold", dependencies=CSRF)
def hold(request: Request, ref: str, ev: str, actor: Writer,
         on: Annotated[str, Form(pattern="^(on|off)$")] = "on",
         purpose: Annotated[str, Form(max_length=1000)] = "") -> Response:
    return _act(request, actor, ref, ev, "hold",
                lambda uow, item: service.hold(uow, item, on=on == "on", purpose=purpose))


@router.post("/incidents/{ref}/evidence/{ev}/destroy", dependencies=CSRF)
def request_destroy(request: Request, ref: str, ev: str, actor: Destroyer,
                    purpose: Annotated[str, Form(max_length=1000)] = "") -> Response:
    """The first of two people: ask for the content to be destroyed."""
    return _act(request, actor, ref, ev, "destroy",
                lambda uow, item: service.request_destroy(uow, item, purpose=purpose))


@router.post("/incidents/{ref}/evidence/{ev}/destroy/approve", dependencies=CSRF)
def approve_destroy(request: Request, ref: str, ev: str, actor: Destroyer,
                    purpose: Annotated[str, Form(max_length=1000)] = "") -> Response:
    """The second person (never the one who asked): the content goes, the record stays."""
    return _act(request, actor, ref, ev, "destroy",
                lambda uow, item: service.approve_destroy(uow, item, purpose=purpose))


@router.post("/incidents/{ref}/evidence/{ev}/verify", dependencies=CSRF)
def verify(request: Request, ref: str, ev: str, actor: Writer,
           purpose: Annotated[str, Form(max_length=1000)] = "verification") -> Response:
    """Re-hash the content and check the chain now; the result is the
    ``verified`` custody event the page shows (a mismatch also pages)."""
    return _act(request, actor, ref, ev, "verify", lambda uow, item: service.verify(
        uow, item, purpose=purpose.strip() or "verification"))


@router.post("/incidents/{ref}/evidence/{ev}/events", dependencies=CSRF)
def add_event(request: Request, ref: str, ev: str, actor: Writer,
              action: Annotated[str, Form(max_length=20)] = "note",
              counterparty: Annotated[str, Form(max_length=200)] = "",
              location: Annotated[str, Form(max_length=500)] = "",
              purpose: Annotated[str, Form(max_length=1000)] = "") -> Response:
    """A note, a copy made, a look at it, or the item released or returned."""
    def act(uow: Any, item: EvidenceItem) -> None:
        if action not in NOTE_ACTIONS:
            raise Invalid(f"Record one of: {', '.join(NOTE_ACTIONS)}.")
        service.note(uow, item, action=action, purpose=purpose,
                     counterparty=counterparty.strip() or None,
                     location=location.strip() or None)
    return _act(request, actor, ref, ev, "events", act)


@router.post("/incidents/{ref}/evidence/{ev}/amend", dependencies=CSRF)
async def amend(request: Request, ref: str, ev: str, actor: Writer) -> Response:
    """Correct the recorded metadata: only the fields that differ from the
    record are sent, and after sealing the correction is recorded only (an
    ``amended`` event with before and after)."""
    form = await request.form()
    typed = {name: str(form[name])[:20000] for name in
             (*AMEND_TEXT, "tlp", "personal_data", "retention_until", "purpose")
             if name in form}
    return await run_in_threadpool(_amend, request, actor, ref, ev, typed)


def _amend(request: Request, actor: Actor, ref: str, ev: str,
           typed: dict[str, str]) -> Response:
    try:
        with _unit(request, actor) as uow:
            incident = incidents.get_by_ref_or_raise(uow.session, ref=ref)
            item = service.get_for_update(uow, ref=_item_of(uow.session, incident.id, ev).ref)
            changes = _changes(_amend_form(item), typed)
            if not changes:
                raise Invalid("Nothing differs from the record: change a field to amend it.")
            try:
                service.amend(uow, item, changes=changes, purpose=typed.get("purpose", ""))
            except ValidationError as error:
                first = error.errors()[0]
                name = str(first["loc"][0]) if first["loc"] else "amend"
                raise Invalid(f"{name.replace('_', ' ').capitalize()}: {first['msg']}.") \
                    from None
    except Problem as problem:
        if isinstance(problem, NotFound):
            raise
        return _item_page(request, actor, ref, ev, status=problem.status,
                          errors={"amend": problem.detail}, amend=typed)
    return see_other(f"/incidents/{ref}/evidence/{ev}")


def _changes(recorded: dict[str, str], typed: dict[str, str]) -> dict[str, Any]:
    """What the person changed, as the domain's values (empty text is none);
    a field the form did not send is left as recorded."""
    changes: dict[str, Any] = {}
    for name, now in recorded.items():
        if name not in typed:
            continue
        new = typed[name].strip()
        if new == now.strip():
            continue
        if name == "personal_data":
            changes[name] = new == "yes"
        elif name == "retention_until":
            changes[name] = f"{new}:00+00:00" if len(new) == 16 else (new or None)
        elif name == "title":
            changes[name] = new
        else:
            changes[name] = new or None
    return changes


@router.post("/incidents/{ref}/evidence/export", dependencies=CSRF, response_model=None)
def export(request: Request, ref: str, actor: Exporter,
           purpose: Annotated[str, Form(max_length=1000)] = "",
           to: Annotated[str, Form(max_length=200)] = "") -> Response:
    """The incident's evidence as one signed zip, as ``warroom evidence export``
    writes it; the export is a custody event on every item in it."""
    try:
        with request.app.state.database.read() as session:
            name = incidents.get_by_ref_or_raise(session, ref=ref).ref
        if len(purpose.strip()) < 3:
            raise Invalid("Say why the evidence leaves (a purpose of at least 3 characters).")
        scratch = exporting.write(lambda: _unit(request, actor), ref=ref, purpose=purpose.strip(),
                                  recipient=to.strip() or None)
    except Problem as problem:
        if isinstance(problem, NotFound):
            raise
        return _list_page(request, actor, ref, form={"to": to}, status=problem.status,
                          errors={"export": problem.detail})
    return exporting.download(scratch, ref=name)
