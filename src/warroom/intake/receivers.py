"""The alert receivers: Alertmanager webhooks, the generic shape and the
PagerDuty Events API v2, each with a bearer token or an integration key.

These are the hot path, so they stay lean: ``async`` routes that read the body
once and validate it with pydantic's JSON parser. Parsed deliveries go to the
process's batcher (:mod:`warroom.intake.pipeline.batching`), which stores whatever is
waiting in one transaction. The route answers only after its alerts
committed; if the database is unreachable the app answers 503 and the sender
retries (a retry is a repeat, so it creates nothing twice).
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

import orjson
from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from warroom.auth.deps import Requirement, public
from warroom.auth.permissions import Permission
from warroom.db import Actor
from warroom.errors import NotFound, PayloadTooLarge
from warroom.http import client_ip, read_session, write_unit
from warroom.intake import changes, integrations
from warroom.intake import settings as intake_settings
from warroom.intake.integrations import Caller
from warroom.intake.pipeline.batching import batcher_for
from warroom.intake.pipeline.delivery import Delivery, Report
from warroom.intake.sources import alertmanager as alertmanager_format
from warroom.intake.sources import generic as generic_format
from warroom.intake.sources import pagerduty
from warroom.intake.sources.alert import IncomingAlert
from warroom.intake.sources.alertmanager import AlertmanagerWebhook
from warroom.intake.sources.generic import GenericAlert
from warroom.intake.sources.pagerduty import ChangeEvent, PagerDutyEvent
from warroom.openapi import json_body, problems
from warroom.text import invalid_input

router = APIRouter(tags=["alert intake"])
M = TypeVar("M", bound=BaseModel)


class _AsyncRequirement(Requirement):
    """The same permission check, as a coroutine: the token is cached, so the
    check is cheap and not worth a thread-pool hop on the hot path."""

    # FastAPI awaits a coroutine dependency; the base's signature is synchronous.
    async def __call__(self, request: Request) -> Actor:  # type: ignore[override]
        return super().__call__(request)


AlertWriter = Annotated[Actor, Depends(_AsyncRequirement(Permission.alert_write))]
_GENERIC_LIST = TypeAdapter(list[GenericAlert])
_ALERTMANAGER_DOCS: dict[str, Any] = {
    "openapi_extra": json_body(AlertmanagerWebhook),
    "responses": problems(400, 413, 422)}
_GENERIC_DOCS: dict[str, Any] = {
    "openapi_extra": json_body(GenericAlert, list[GenericAlert],
                               description="One alert, or a JSON list of them."),
    "responses": problems(400, 413, 422)}


@router.post("/api/v1/alerts/alertmanager", **_ALERTMANAGER_DOCS)
async def alertmanager(request: Request, actor: AlertWriter) -> Response:
    """Alertmanager ``webhook_configs`` receiver (payload version 4)."""
    return await _alertmanager(request, actor, None)


@router.post("/api/v1/alerts/alertmanager/{integration_key}", dependencies=[public()],
             **_ALERTMANAGER_DOCS)
async def alertmanager_integration(integration_key: str, request: Request) -> Response:
    """The same, authenticated by the integration key in the URL."""
    caller = _integration(request, integration_key, alertmanager_format.SOURCE.name)
    return await _alertmanager(request, caller.actor, caller)


@router.post("/api/v1/alerts/generic", **_GENERIC_DOCS)
async def generic(request: Request, actor: AlertWriter) -> Response:
    """One alert in warroom's generic shape, or a JSON list of them."""
    return await _generic(request, actor, None)


@router.post("/api/v1/alerts/generic/{integration_key}", dependencies=[public()],
             **_GENERIC_DOCS)
async def generic_integration(integration_key: str, request: Request) -> Response:
    caller = _integration(request, integration_key, generic_format.SOURCE.name)
    return await _generic(request, caller.actor, caller)


_PAGERDUTY_ANSWER = {"type": "object", "required": ["status", "message"], "properties": {
    "status": {"type": "string"}, "message": {"type": "string"},
    "dedup_key": {"type": "string"}, "errors": {"type": "array", "items": {"type": "string"}}}}
_PAGERDUTY_DOCS: dict[str, Any] = {
    "openapi_extra": json_body(PagerDutyEvent),
    "responses": {
        202: {"description": "The event was stored.",
              "content": {"application/json": {"schema": _PAGERDUTY_ANSWER}}},
        400: {"description": "The event is invalid (PagerDuty's own error shape).",
              "content": {"application/json": {"schema": _PAGERDUTY_ANSWER}}},
        **problems(401, 403, 413)}}


@router.post("/v2/enqueue", status_code=202, dependencies=[public()], **_PAGERDUTY_DOCS)
async def pagerduty_enqueue(request: Request) -> Response:
    """PagerDuty Events API v2 compatible: the ``routing_key`` is the key of a
    pagerduty integration (or send a bearer token with alert:write)."""
    try:
        event = PagerDutyEvent.model_validate_json(await request.body())
    except ValidationError as bad:
        return _pagerduty_invalid(pagerduty.errors(bad))
    if refused := pagerduty.problems(event):
        return _pagerduty_invalid(refused)
    sender = _pagerduty_sender(request, event.routing_key)
    if sender is None:
        return _pagerduty_invalid(["'routing_key' is not the key of an active pagerduty "
                                   "integration"])
    actor, caller = sender
    alert = pagerduty.incoming(event)
    await _store(request, actor, [alert], pagerduty.SOURCE.name, caller)
    return _json({"status": "success", "message": "Event processed",
                  "dedup_key": alert.dedup_key}, status=202)


@router.post("/v2/change/enqueue", status_code=202, dependencies=[public()],
             **{**_PAGERDUTY_DOCS, "openapi_extra": json_body(ChangeEvent)})
async def pagerduty_change(request: Request) -> Response:
    """PagerDuty change events: a deploy or config change, listed on the
    incidents of its service. Same keys as ``/v2/enqueue``."""
    try:
        event = ChangeEvent.model_validate_json(await request.body())
    except ValidationError as bad:
        return _pagerduty_invalid(pagerduty.errors(bad))
    if unstorable := pagerduty.unstorable(event):
        return _pagerduty_invalid([unstorable])
    sender = _pagerduty_sender(request, event.routing_key)
    if sender is None:
        return _pagerduty_invalid(["'routing_key' is not the key of an active pagerduty "
                                   "integration"])
    actor, caller = sender
    await run_in_threadpool(_record_change, request, actor, event, caller)
    return _json({"status": "success", "message": "Change event processed"}, status=202)


def _pagerduty_sender(request: Request, routing_key: str
                      ) -> tuple[Actor, Caller | None] | None:
    """Who sends a PagerDuty event: the bearer token's holder when there is
    one (raising 401/403 as any receiver does), else the integration whose
    key is the ``routing_key``; None when that key is no active integration's."""
    if "authorization" in request.headers:
        return Requirement(Permission.alert_write)(request), None
    caller = _find_integration(request, routing_key, pagerduty.SOURCE.name)
    return None if caller is None else (caller.actor, caller)


def _record_change(request: Request, actor: Actor, event: ChangeEvent,
                   caller: Caller | None) -> None:
    with write_unit(request, actor) as uow:
        changes.record(uow, event=event, caller=caller)


async def _alertmanager(request: Request, actor: Actor, caller: Caller | None) -> Response:
    webhook = _parse(AlertmanagerWebhook, await request.body())
    _check_count(len(webhook.alerts), "An Alertmanager webhook", "set max_alerts in its "
                 "webhook_configs")
    report = await _store(request, actor, alertmanager_format.incoming(webhook),
                          alertmanager_format.SOURCE.name, caller)
    return _json({"status": "ok", **report.summary(), "alerts": report.alerts})


async def _generic(request: Request, actor: Actor, caller: Caller | None) -> Response:
    body = await request.body()
    if body.lstrip()[:1] == b"[":
        alerts = _parse_list(body)
        _check_count(len(alerts), "A generic request", "send them in several requests")
    else:
        alerts = [_parse(GenericAlert, body)]
    incoming = [generic_format.incoming(alert) for alert in alerts]
    report = await _store(request, actor, incoming, generic_format.SOURCE.name, caller)
    return _json({"status": "ok", **report.summary(), "alerts": report.alerts})


async def _store(request: Request, actor: Actor, alerts: list[IncomingAlert], source: str,
                 caller: Caller | None) -> Report:
    """Hand the delivery to the process's batcher; returns once it committed."""
    delivery = Delivery(alerts=alerts, source=source, integration=caller)
    return await batcher_for(request.app.state).submit(delivery, actor=actor,
                                                       source_ip=client_ip(request))


def _integration(request: Request, key: str, kind: str) -> Caller:
    caller = _find_integration(request, key, kind)
    if caller is None:
        raise NotFound(f"There is no active {kind} integration with this key; create one with "
                       "POST /api/v1/integrations.")
    return caller


def _find_integration(request: Request, key: str, kind: str) -> Caller | None:
    if len(key) > 100:
        return None
    with read_session(request) as session:
        return integrations.authenticate(session, key=key, kind=kind)


def _parse(model: type[M], body: bytes) -> M:
    try:
        return model.model_validate_json(body)
    except ValidationError as bad:
        raise _problem(bad) from None


def _parse_list(body: bytes) -> list[GenericAlert]:
    try:
        return _GENERIC_LIST.validate_json(body)
    except ValidationError as bad:
        raise _problem(bad) from None


def _problem(bad: ValidationError) -> Exception:
    """The same problem the app gives every other route for a bad body."""
    return invalid_input(bad.errors(include_url=False))


def _check_count(count: int, what: str, advice: str) -> None:
    limit = intake_settings.get().alert_max_per_request
    if count > limit:
        raise PayloadTooLarge(f"{what} may carry at most {limit} alerts "
                              f"(WARROOM_ALERT_MAX_PER_REQUEST); this one has {count}: {advice}.")


def _pagerduty_invalid(errors: list[str]) -> Response:
    """PagerDuty's own error shape, so its clients log something useful."""
    return _json({"status": "invalid event", "message": "Event object is invalid",
                  "errors": errors}, status=400)


def _json(body: dict[str, Any], status: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")

