"""The alerts screen, ``/alerts``: firing and recent alerts with the incident
each opened, alert groups, alerts on hold (silenced, monitoring paused,
flapping), silences, and the monitoring switch.

Each part needs what the matching API route needs: reading alert:read,
adding or ending a silence silence:write (a silence wider than a responder
may add is refused by the silences service itself, which says why), and the
monitoring switch monitoring:admin. The forms call the intake services the
API calls, in a unit of work acting as the signed-in person; a refusal
re-renders the page with the sentence beside the form (status 4xx) and the
unit of work rolls back, so nothing is half-saved.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from pydantic import ValidationError
from starlette.responses import Response

from warroom.auth.permissions import Permission
from warroom.console.screens import render, see_other
from warroom.console.session import check_csrf, console_requires
from warroom.db import Actor
from warroom.errors import Problem
from warroom.http import DbInt, client_ip
from warroom.intake import present, service, silences, switches
from warroom.intake.schemas import Matcher

router = APIRouter(include_in_schema=False)
Reader = Annotated[Actor, console_requires(Permission.alert_read)]
Silencer = Annotated[Actor, console_requires(Permission.silence_write)]
MonitoringAdmin = Annotated[Actor, console_requires(Permission.monitoring_admin)]
CSRF = [Depends(check_csrf)]
PAGE_SIZE = 50
HELD_SHOWN = 50
MAX_MATCHERS = 32
MAX_SILENCE_MINUTES = 60 * 24 * 366
MATCHER = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$")
"""Alertmanager's matcher spelling: ``name=value``, ``name!=value``,
``name=~regex``, ``name!~regex``; a value may be quoted."""
SERVICE_LABELS = ("service", "job", "app")
"""The labels that name an alert's service, in the order looked at."""


def _unit(request: Request, actor: Actor) -> Any:
    return request.app.state.database.unit_of_work(actor, source_ip=client_ip(request),
                                                   clock=request.app.state.clock)


def _status(problem: Problem) -> int:
    return problem.status if problem.status < 500 else 400


def _service_of(labels: dict[str, Any]) -> str:
    return next((str(labels[name]) for name in SERVICE_LABELS if labels.get(name)), "")


@router.get("/alerts")
def alerts_page(request: Request, actor: Reader,
                status: Annotated[str, Query(max_length=10)] = "",
                held: Annotated[str, Query(max_length=20)] = "",
                page: Annotated[int, Query(ge=1, le=100000)] = 1) -> Response:
    return _page(request, actor, status=status, held=held, page=page, form={}, errors={})


def _page(request: Request, actor: Actor, *, form: dict[str, str], errors: dict[str, str],
          status: str = "", held: str = "", page: int = 1, code: int = 200) -> Response:
    now = request.app.state.clock.now()
    errors = dict(errors)
    with request.app.state.database.read() as session:
        try:
            rows, total = service.get_all(session, filters=service.Filters(
                status=status or None, held=held or None), limit=PAGE_SIZE,
                offset=(page - 1) * PAGE_SIZE)
        except Problem as problem:
            errors["filters"] = problem.detail
            code = code if code != 200 else _status(problem)
            status, held = "", ""
            rows, total = service.get_all(session, filters=service.Filters(), limit=PAGE_SIZE)
        shown = [_alert(row) for row in rows]
        holding = [_alert(row) for hold in service.HOLDS
                   for row in service.get_all(session, filters=service.Filters(
                       status="firing", held=hold), limit=HELD_SHOWN)[0]]
        groups = [present.group(g, now=now) for g in service.get_groups(session, limit=20)]
        quiet = [present.silence(s, now=now)
                 for s in silences.get_all(session, state=None, now=now, limit=100)]
        switch = switches.read(session)
    return render(request, actor, "alerts.html", {
        "alerts": shown, "total": total, "page": page, "pages": max(1, -(-total // PAGE_SIZE)),
        "status": status, "held": held, "statuses": service.STATUSES, "holds": service.HOLDS,
        "holding": holding, "groups": groups, "silences": quiet, "switch": switch, "now": now,
        "form": form, "errors": errors}, status=code)


def _alert(row: Any) -> dict[str, Any]:
    shown = present.alert(row).model_dump()
    shown["service"] = _service_of(row.labels or {})
    return shown


# ---- silences -----------------------------------------------------------------


@router.post("/alerts/silences", dependencies=CSRF)
def create_silence(request: Request, actor: Silencer,
                   matchers: Annotated[str, Form(max_length=8000)] = "",
                   duration_minutes: Annotated[str, Form(max_length=12)] = "",
                   comment: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Silence alerts matching every matcher from now, for a while."""
    form = {"matchers": matchers, "duration_minutes": duration_minutes, "comment": comment}
    errors: dict[str, str] = {}
    parsed = _matchers(matchers, errors)
    minutes = _minutes(duration_minutes, errors)
    if not comment.strip():
        errors["comment"] = "Say why alerts are being silenced."
    if errors or minutes is None:
        return _page(request, actor, form=form, errors=errors, code=400)
    try:
        with _unit(request, actor) as uow:
            silences.create(uow, matchers=parsed, comment=comment,
                            duration=timedelta(minutes=minutes))
    except Problem as problem:
        return _page(request, actor, form=form, errors={"matchers": problem.detail},
                     code=_status(problem))
    return see_other("/alerts#silences")


@router.post("/alerts/silences/{silence_id}/end", dependencies=CSRF)
def end_silence(request: Request, silence_id: DbInt, actor: Silencer) -> Response:
    """End a silence now; the still-firing alerts it held are placed at once."""
    try:
        with _unit(request, actor) as uow:
            service.expire_silence(uow, silence_id=silence_id)
    except Problem as problem:
        return _page(request, actor, form={}, errors={"silences": problem.detail},
                     code=_status(problem))
    return see_other("/alerts#silences")


def _matchers(text: str, errors: dict[str, str]) -> list[Matcher]:
    lines = [line for line in text.replace(",", "\n").splitlines() if line.strip()]
    if not lines:
        errors["matchers"] = "Give at least one matcher, such as alertname=DiskFull."
        return []
    if len(lines) > MAX_MATCHERS:
        errors["matchers"] = f"Give at most {MAX_MATCHERS} matchers."
        return []
    found = []
    for line in lines:
        match = MATCHER.match(line)
        if match is None:
            errors["matchers"] = (f"{line.strip()!r} is not a matcher; write name=value, "
                                  "name!=value, name=~regex or name!~regex.")
            return []
        name, operator, value = match.groups()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        try:
            found.append(Matcher(name=name, value=value, is_regex="~" in operator,
                                 is_equal=not operator.startswith("!")))
        except ValidationError as bad:
            errors["matchers"] = f"{line.strip()!r}: {bad.errors()[0]['msg']}."
            return []
    return found


def _minutes(text: str, errors: dict[str, str]) -> float | None:
    try:
        minutes = float(text.strip())
    except ValueError:
        errors["duration_minutes"] = "Say how many minutes the silence lasts, e.g. 60."
        return None
    if not 0 < minutes <= MAX_SILENCE_MINUTES:
        errors["duration_minutes"] = (f"A silence lasts more than 0 and at most "
                                      f"{MAX_SILENCE_MINUTES} minutes (366 days).")
        return None
    return minutes


# ---- the monitoring switch ----------------------------------------------------


@router.post("/alerts/monitoring", dependencies=CSRF)
def set_monitoring(request: Request, actor: MonitoringAdmin,
                   enabled: Annotated[str, Form(max_length=5)] = "",
                   reason: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """Pause incident creation from alerts (they are still stored) or resume
    it (every alert still firing that was held by the pause is placed)."""
    form = {"enabled": enabled, "reason": reason}
    if enabled not in ("true", "false"):
        return _page(request, actor, form=form, code=400,
                     errors={"monitoring": "Choose to pause or to resume monitoring."})
    if enabled == "false" and not reason.strip():
        return _page(request, actor, form=form, code=400, errors={
            "reason": "Say why monitoring is paused: alerts will open no incidents."})
    try:
        with _unit(request, actor) as uow:
            service.set_monitoring(uow, enabled=enabled == "true",
                                   reason=reason.strip() or None)
    except Problem as problem:
        return _page(request, actor, form=form, errors={"monitoring": problem.detail},
                     code=_status(problem))
    return see_other("/alerts#monitoring")
