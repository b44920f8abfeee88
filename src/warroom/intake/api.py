"""HTTP routes for alert intake: the receivers (see :mod:`warroom.intake.receivers`), alerts
and groups, the security view, silences, integrations, routing rules and the
monitoring switch."""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field

from warroom.auth.deps import Requirement, requires
from warroom.auth.permissions import Permission
from warroom.db import Actor
from warroom.errors import Invalid, NotFound
from warroom.http import DbInt, Page, client_ip, read_session, write_unit
from warroom.incidents.service import REF
from warroom.intake import (
    integrations,
    present,
    receivers,
    service,
    silences,
    switches,
    trial,
)
from warroom.intake import settings as intake_settings
from warroom.intake.rules import rulebook
from warroom.intake.rules.routing import Rule
from warroom.intake.schemas import (
    AlertGroupOut,
    AlertOut,
    IntegrationIn,
    IntegrationOut,
    IssuedIntegrationOut,
    MonitoringIn,
    MonitoringOut,
    RoutingTestIn,
    SilenceIn,
    SilenceOut,
)

router = APIRouter(tags=["alert intake"])
router.include_router(receivers.router)

Reader = Annotated[Actor, requires(Permission.alert_read)]
Silencer = Annotated[Actor, requires(Permission.silence_write)]
RoutingAdmin = Annotated[Actor, requires(Permission.routing_admin)]
MonitoringAdmin = Annotated[Actor, requires(Permission.monitoring_admin)]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[DbInt, Query(ge=0)]


class _SecurityReader(Requirement):
    """security:read; or, when WARROOM_SECURITY_ALERTS_LOOPBACK is on, a caller
    on this machine without any token (the seed playbook's own call)."""

    def __call__(self, request: Request) -> Actor:
        if ("authorization" not in request.headers
                and intake_settings.get().security_alerts_loopback
                and _is_loopback(client_ip(request)) and not _forwarded(request)):
            return Actor(name="loopback", kind="system", role="viewer")
        return super().__call__(request)


def _forwarded(request: Request) -> bool:
    """Relayed by a proxy: the caller is not on this machine, whatever the
    socket says (a local proxy not listed in WARROOM_TRUSTED_PROXIES)."""
    return "x-forwarded-for" in request.headers or "forwarded" in request.headers


SecurityReader = Annotated[Actor, Depends(_SecurityReader(Permission.security_read))]


class StoredRuleIn(Rule):
    position: int = Field(100, ge=0, le=1_000_000)
    """Stored rules are tried by position (then name), all before shipped rules."""


# --- alerts --------------------------------------------------------------------

@router.get("/api/v1/alerts", response_model=Page[AlertOut])
def list_alerts(request: Request, actor: Reader,
                status: Annotated[str | None, Query(max_length=10)] = None,
                name: Annotated[str | None, Query(max_length=200)] = None,
                incident: Annotated[str | None, Query(max_length=20)] = None,
                held: Annotated[str | None, Query(max_length=20)] = None,
                source: Annotated[str | None, Query(max_length=20)] = None,
                limit: Limit = 50, offset: Offset = 0) -> Page[AlertOut]:
    """Alerts, newest first."""
    return _alerts_page(request, service.Filters(
        status=status, name=name, held=held, source=source,
        incident=_incident_number(incident)), limit, offset)


@router.get("/api/v1/alerts/{alert_id}", response_model=AlertOut)
def get_alert(alert_id: DbInt, request: Request, actor: Reader) -> AlertOut:
    with read_session(request) as session:
        return present.alert(service.get_or_raise(session, alert_id=alert_id))


@router.get("/api/v1/alert-groups", response_model=list[AlertGroupOut])
def list_groups(request: Request, actor: Reader, limit: Limit = 50,
                offset: Offset = 0) -> list[AlertGroupOut]:
    """Alert groups with their latest incident and whether they are flapping."""
    with read_session(request) as session:
        now = request.app.state.clock.now()
        return [present.group(g, now=now)
                for g in service.get_groups(session, limit=limit, offset=offset)]


@router.get("/api/v1/security/alerts", response_model=Page[AlertOut])
def security_alerts(request: Request, actor: SecurityReader,
                    status: Annotated[str | None, Query(max_length=10)] = None,
                    limit: Limit = 50, offset: Offset = 0) -> Page[AlertOut]:
    """Alerts routed to security types (security_breach, compliance_violation)."""
    return _alerts_page(request, service.Filters(status=status, security_only=True),
                        limit, offset)


# --- silences ------------------------------------------------------------------

@router.get("/api/v1/silences", response_model=list[SilenceOut])
def list_silences(request: Request, actor: Reader,
                  state: Annotated[str | None, Query(max_length=10)] = None,
                  limit: Limit = 100, offset: Offset = 0) -> list[SilenceOut]:
    """Silences, newest first; ``state`` is pending, active or expired."""
    now = request.app.state.clock.now()
    with read_session(request) as session:
        rows = silences.get_all(session, state=state, now=now, limit=limit, offset=offset)
        return [present.silence(row, now=now) for row in rows]


@router.post("/api/v1/silences", status_code=201, response_model=SilenceOut)
def create_silence(body: SilenceIn, request: Request, actor: Silencer) -> SilenceOut:
    """Silence alerts matching every matcher, from ``starts_at`` (default now)."""
    duration = timedelta(minutes=body.duration_minutes) if body.duration_minutes else None
    with write_unit(request, actor) as uow:
        silence = silences.create(uow, matchers=body.matchers, comment=body.comment,
                                  starts_at=body.starts_at, ends_at=body.ends_at,
                                  duration=duration)
        return present.silence(silence, now=uow.now())


@router.delete("/api/v1/silences/{silence_id}", response_model=SilenceOut)
def expire_silence(silence_id: DbInt, request: Request, actor: Silencer) -> SilenceOut:
    """End a silence now; alerts it held that still fire are placed at once."""
    with write_unit(request, actor) as uow:
        service.expire_silence(uow, silence_id=silence_id)
        silence = silences.get(uow.session, silence_id=silence_id)
        assert silence is not None  # expire_silence refuses an unknown id
        return present.silence(silence, now=uow.now())


# --- integrations --------------------------------------------------------------

@router.get("/api/v1/integrations", response_model=list[IntegrationOut])
def list_integrations(request: Request, actor: Reader) -> list[IntegrationOut]:
    with read_session(request) as session:
        return [present.integration(row) for row in integrations.get_all(session)]


@router.post("/api/v1/integrations", status_code=201, response_model=IssuedIntegrationOut)
def create_integration(body: IntegrationIn, request: Request,
                       actor: RoutingAdmin) -> IssuedIntegrationOut:
    """A secret receiver URL (or PagerDuty routing key) for one tool; shown once."""
    with write_unit(request, actor) as uow:
        return present.issued(integrations.create(uow, name=body.name, kind=body.kind))


@router.delete("/api/v1/integrations/{integration_id}", response_model=IntegrationOut)
def revoke_integration(integration_id: DbInt, request: Request,
                       actor: RoutingAdmin) -> IntegrationOut:
    with write_unit(request, actor) as uow:
        return present.integration(integrations.revoke(uow, integration_id=integration_id))


# --- routing rules -------------------------------------------------------------

@router.get("/api/v1/routing/rules")
def list_rules(request: Request, actor: Reader) -> list[dict[str, Any]]:
    """Every rule in the order tried, with where it comes from; shipped rules
    replaced by a stored rule of the same name are listed as inactive."""
    with read_session(request) as session:
        ruleset = rulebook.current(session, generation=switches.read(session).rules_generation)
        positions = {r.name: r.position for r in rulebook.records(session)}
    listed = [_rule(r, order, positions, active=True) for order, r in enumerate(ruleset.rules)]
    return listed + [_rule(r, None, {}, active=False) for r in ruleset.shadowed]


@router.get("/api/v1/routing/rules/{name}")
def get_rule(name: str, request: Request, actor: Reader) -> dict[str, Any]:
    return next((r for r in list_rules(request, actor) if r["name"] == name and r["active"]),
                None) or _no_rule(name)


@router.post("/api/v1/routing/rules", status_code=201)
def create_rule(body: StoredRuleIn, request: Request, actor: RoutingAdmin) -> dict[str, Any]:
    """Store a rule; it is tried before the shipped rules (and replaces a
    shipped rule of the same name). Every process uses it from its next alert."""
    with write_unit(request, actor) as uow:
        record = rulebook.create(uow, rule=Rule(**body.model_dump(exclude={"position"})),
                                 position=body.position)
        return {"name": record.name, "position": record.position, "rule": record.definition}


@router.put("/api/v1/routing/rules/{name}")
def replace_rule(name: str, body: StoredRuleIn, request: Request,
                 actor: RoutingAdmin) -> dict[str, Any]:
    with write_unit(request, actor) as uow:
        record = rulebook.update(uow, name=name,
                                 rule=Rule(**body.model_dump(exclude={"position"})),
                                 position=body.position)
        return {"name": record.name, "position": record.position, "rule": record.definition}


@router.delete("/api/v1/routing/rules/{name}", status_code=204)
def delete_rule(name: str, request: Request, actor: RoutingAdmin) -> None:
    with write_unit(request, actor) as uow:
        rulebook.delete(uow, name=name)


@router.post("/api/v1/routing/reload")
def reload_rules(request: Request, actor: RoutingAdmin) -> dict[str, Any]:
    """Re-read rules/routing/*.yaml now. Invalid files are refused (422 naming
    each problem) and the rules in use stay as they were."""
    with write_unit(request, actor) as uow:
        ruleset = rulebook.reload(uow)
        return {"rules": [r.name for r in ruleset.rules], "generation": ruleset.generation}


@router.post("/api/v1/routing/test")
def test_routing(body: RoutingTestIn, request: Request, actor: Reader) -> dict[str, Any]:
    """Which rule these labels match and what incident they would open."""
    with read_session(request) as session:
        return trial.explain(session, body.labels)


# --- monitoring switch ---------------------------------------------------------

@router.get("/api/v1/admin/monitoring", response_model=MonitoringOut)
def monitoring_state(request: Request, actor: Reader) -> MonitoringOut:
    with read_session(request) as session:
        state = switches.read(session)
    return MonitoringOut(enabled=state.monitoring_enabled,
                         changed_at=state.monitoring_changed_at,
                         changed_by=state.monitoring_changed_by)


@router.post("/api/v1/admin/monitoring", response_model=MonitoringOut)
def set_monitoring(body: MonitoringIn, request: Request,
                   actor: MonitoringAdmin) -> MonitoringOut:
    """The seed's call: ``{"enabled": false}`` pauses incident creation from
    alerts (they are still stored); ``{"enabled": true}`` resumes it and places
    every alert that is still firing."""
    with write_unit(request, actor) as uow:
        placed = service.set_monitoring(uow, enabled=body.enabled, reason=body.reason)
        state = switches.read(uow.session)
        return MonitoringOut(enabled=state.monitoring_enabled,
                             changed_at=state.monitoring_changed_at,
                             changed_by=state.monitoring_changed_by, re_evaluated=len(placed),
                             incidents_opened=service.opened_by(placed))


def _alerts_page(request: Request, filters: service.Filters, limit: int,
                 offset: int) -> Page[AlertOut]:
    with read_session(request) as session:
        rows, total = service.get_all(session, filters=filters, limit=limit, offset=offset)
        return Page[AlertOut](items=[present.alert(r) for r in rows], total=total, limit=limit,
                              offset=offset)


def _incident_number(ref: str | None) -> int | None:
    if ref is None:
        return None
    match = REF.match(ref.strip())
    if match is None:
        raise Invalid(f"incident: {ref!r} is not an incident id; they look like INC-42.")
    return int(match.group(1))


def _rule(compiled: Any, order: int | None, positions: dict[str, int], *,
          active: bool) -> dict[str, Any]:
    return {"name": compiled.name, "origin": compiled.origin, "order": order,
            "position": positions.get(compiled.name), "active": active,
            "rule": compiled.rule.model_dump(mode="json")}


def _no_rule(name: str) -> dict[str, Any]:
    raise NotFound(f"There is no routing rule named {name!r}.")


def _is_loopback(host: str | None) -> bool:
    try:
        return host is not None and ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
