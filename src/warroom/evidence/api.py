"""HTTP routes of the evidence locker.

Content goes in as a streamed multipart upload and comes out only as an
attachment download (``application/octet-stream``, ``nosniff``): a malware
sample or an HTML page kept as evidence is never rendered by a browser.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from warroom.auth.deps import requires
from warroom.auth.permissions import Permission
from warroom.db import Actor
from warroom.errors import Invalid, PayloadTooLarge
from warroom.evidence import custody, exporting, service, upload
from warroom.evidence.schemas import (
    AmendIn,
    CustodyOut,
    EventIn,
    ExportIn,
    ExternalItemIn,
    HoldIn,
    ItemIn,
    ItemOut,
    Purpose,
    TransferIn,
    VerifyOut,
)
from warroom.http import read_session, write_unit
from warroom.incidents import service as incidents
from warroom.openapi import json_body, problems
from warroom.text import refuse_nul

router = APIRouter(tags=["evidence"])
Reader = Annotated[Actor, requires(Permission.evidence_read)]
Writer = Annotated[Actor, requires(Permission.evidence_write)]
Destroyer = Annotated[Actor, requires(Permission.evidence_destroy)]
Exporter = Annotated[Actor, requires(Permission.evidence_export)]
JSON_LIMIT = 256 * 1024
_UPLOAD_BODY = json_body(ExternalItemIn, description="JSON for an item kept elsewhere, or a "
                         "streamed multipart upload: a `metadata` part (ItemIn as JSON) "
                         "first, then the `file` part.")
_UPLOAD_BODY["requestBody"]["content"]["multipart/form-data"] = {"schema": {
    "type": "object", "required": ["metadata", "file"], "properties": {
        "metadata": {"type": "string", "description": "ItemIn as JSON"},
        "file": {"type": "string", "format": "binary"}}}}


@router.get("/api/v1/incidents/{ref}/evidence", response_model=list[ItemOut])
def list_items(ref: str, request: Request, actor: Reader) -> list[ItemOut]:
    with read_session(request) as session:
        incident = incidents.get_by_ref_or_raise(session, ref=ref)
        return [service.out(session, item)
                for item in service.get_all(session, incident_id=incident.id)]


@router.post("/api/v1/incidents/{ref}/evidence", status_code=201, response_model=ItemOut,
             openapi_extra=_UPLOAD_BODY, responses=problems(400, 413))
async def add_item(ref: str, request: Request, actor: Writer) -> ItemOut:
    """Register an item: a streamed multipart upload (``metadata`` JSON part,
    then ``file``), or JSON alone for an external reference or physical item."""
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() == "application/json":
        raw = await _bounded_body(request)
        refuse_nul(request.scope, raw)
        described = _json_item(raw)
        return await run_in_threadpool(_register, request, actor, ref, described, None)
    upload.boundary_of(content_type)
    incident_id = await run_in_threadpool(_incident_id, request, ref)
    opened: list[Any] = []

    def open_sink(meta: ItemIn) -> Any:
        with read_session(request) as session:
            if meta.derived_from:  # refuse before storing anything
                service.get_or_raise(session, ref=meta.derived_from)
            incident = incidents.get(session, incident_id=incident_id)
            sink = service.sink_for(session, incident)  # type: ignore[arg-type]
        opened.append(sink)
        return sink

    got = await upload.receive(request.stream(), content_type, open_sink)
    if got.sink is None:
        raise Invalid("The upload has no 'file' part; send JSON for an item kept elsewhere.")
    if got.meta is None:
        raise Invalid("The upload has no 'metadata' part.")
    meta: ItemIn = got.meta
    updates: dict[str, Any] = {}
    if meta.original_filename is None and got.filename:
        updates["original_filename"] = got.filename[:500]
    if meta.media_type is None and got.content_type:
        updates["media_type"] = got.content_type[:200]
    meta = meta.model_copy(update=updates)
    stored = await run_in_threadpool(got.sink.finish, meta.declared_hashes or None)
    return await run_in_threadpool(_register, request, actor, ref, meta, stored)


@router.post("/api/v1/incidents/{ref}/evidence/export",
             responses={200: {"content": {"application/zip": {}}}})
def export(ref: str, body: ExportIn, request: Request, actor: Exporter) -> StreamingResponse:
    """The incident's evidence as one signed zip (an export event on every
    item). It is written to the store's scratch folder, then streamed and
    removed."""
    scratch = exporting.write(lambda: write_unit(request, actor), ref=ref,
                              purpose=body.purpose, recipient=body.to)
    return exporting.download(scratch, ref=ref)


@router.get("/api/v1/evidence/{ev}", response_model=ItemOut)
def show(ev: str, request: Request, actor: Reader) -> ItemOut:
    with read_session(request) as session:
        return service.out(session, service.get_or_raise(session, ref=ev))


@router.get("/api/v1/evidence/{ev}/custody", response_model=list[CustodyOut])
def custody_log(ev: str, request: Request, actor: Reader) -> list[CustodyOut]:
    """Every custody event of the item, oldest first, with its chain hashes."""
    with read_session(request) as session:
        item = service.get_or_raise(session, ref=ev)
        return [CustodyOut(**custody.as_dict(e)) for e in custody.events(session, item.id)]


@router.get("/api/v1/evidence/{ev}/content",
            responses={200: {"content": {"application/octet-stream": {}}}})
def download(ev: str, request: Request, actor: Reader,
             purpose: Annotated[str, Query(min_length=3, max_length=1000)]
             ) -> StreamingResponse:
    """The content as an attachment; the download is a custody event (who,
    from which address, why)."""
    with write_unit(request, actor) as uow:
        item = service.get_for_update(uow, ref=ev)
        chunks = service.open_content(uow, item, purpose=purpose)
        name = item.original_filename or f"{item.ref}.bin"
        size, sha256 = item.size, item.sha256
    return StreamingResponse(chunks, media_type="application/octet-stream",
                             headers=service.attachment_headers(name, size, sha256))


@router.post("/api/v1/evidence/{ev}/transfer", response_model=ItemOut)
def transfer(ev: str, body: TransferIn, request: Request, actor: Writer) -> ItemOut:
    with write_unit(request, actor) as uow:
        item = service.get_for_update(uow, ref=ev)
        service.transfer(uow, item, to=body.to, location=body.location, purpose=body.purpose,
                         tz=body.tz)
        return service.out(uow.session, item)


@router.post("/api/v1/evidence/{ev}/seal", response_model=ItemOut)
def seal(ev: str, body: Purpose, request: Request, actor: Writer) -> ItemOut:
    with write_unit(request, actor) as uow:
        item = service.get_for_update(uow, ref=ev)
        service.seal(uow, item, purpose=body.purpose)
        return service.out(uow.session, item)


@router.post("/api/v1/evidence/{ev}/amend", response_model=ItemOut)
def amend(ev: str, body: AmendIn, request: Request, actor: Writer) -> ItemOut:
    """Correct metadata; on a sealed item the correction is recorded only."""
    with write_unit(request, actor) as uow:
        item = service.get_for_update(uow, ref=ev)
        service.amend(uow, item, changes=body.changes, purpose=body.purpose)
        return service.out(uow.session, item)


@router.post("/api/v1/evidence/{ev}/hold", response_model=ItemOut)
def hold(ev: str, body: HoldIn, request: Request, actor: Writer) -> ItemOut:
    with write_unit(request, actor) as uow:
        item = service.get_for_update(uow, ref=ev)
        service.hold(uow, item, on=body.on, purpose=body.purpose)
        return service.out(uow.session, item)


@router.post("/api/v1/evidence/{ev}/events", response_model=ItemOut)
def add_event(ev: str, body: EventIn, request: Request, actor: Writer) -> ItemOut:
    """A note, a copy made, a look at it, or the item released or returned."""
    with write_unit(request, actor) as uow:
        item = service.get_for_update(uow, ref=ev)
        service.note(uow, item, action=body.action, purpose=body.purpose,
                     counterparty=body.counterparty, location=body.location)
        return service.out(uow.session, item)


@router.post("/api/v1/evidence/{ev}/verify", response_model=VerifyOut)
def verify(ev: str, body: Purpose, request: Request, actor: Writer) -> VerifyOut:
    """Re-hash the content and check the custody chain now."""
    with write_unit(request, actor) as uow:
        item = service.get_for_update(uow, ref=ev)
        observed, problems = service.verify(uow, item, purpose=body.purpose)
        return VerifyOut(ref=item.ref, ok=not problems, sha256_observed=observed,
                         problems=problems)


@router.post("/api/v1/evidence/{ev}/destroy", response_model=ItemOut)
def request_destroy(ev: str, body: Purpose, request: Request, actor: Destroyer) -> ItemOut:
    """The first of two people: ask for the item to be destroyed."""
    with write_unit(request, actor) as uow:
        item = service.get_for_update(uow, ref=ev)
        service.request_destroy(uow, item, purpose=body.purpose)
        return service.out(uow.session, item)


@router.post("/api/v1/evidence/{ev}/destroy/approve", response_model=ItemOut)
def approve_destroy(ev: str, body: Purpose, request: Request, actor: Destroyer) -> ItemOut:
    """The second person: the content is removed, the record and its log stay."""
    with write_unit(request, actor) as uow:
        item = service.get_for_update(uow, ref=ev)
        service.approve_destroy(uow, item, purpose=body.purpose)
        return service.out(uow.session, item)


def _incident_id(request: Request, ref: str) -> int:
    with read_session(request) as session:
        return incidents.get_by_ref_or_raise(session, ref=ref).id


def _register(request: Request, actor: Actor, ref: str, meta: ItemIn,
              stored: Any) -> ItemOut:
    with write_unit(request, actor) as uow:
        incident = incidents.get_for_update(uow, ref=ref)
        item = service.register(uow, incident=incident, meta=meta, stored=stored)
        return service.out(uow.session, item)


async def _bounded_body(request: Request) -> bytes:
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > JSON_LIMIT:
            raise PayloadTooLarge("An item's JSON description is limited to 256 KiB.")
    return bytes(body)


def _json_item(raw: bytes) -> ItemIn:
    try:
        return ExternalItemIn.model_validate(orjson.loads(raw))
    except (orjson.JSONDecodeError, ValidationError) as error:
        raise Invalid(f"The body is not a valid evidence item: {error}") from None
