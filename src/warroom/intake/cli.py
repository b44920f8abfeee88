"""``warroom alert|rules|silence|integration|monitoring ...``: the same service
calls as the API."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import typer
import yaml
from pydantic import BaseModel, ValidationError

from warroom.cli_support import (
    AS_USER,
    JSON_OUT,
    echo,
    emit_json,
    emit_table,
    handles_problems,
    reading,
    unit,
)
from warroom.clock import now
from warroom.errors import Invalid
from warroom.intake import integrations, present, service, silences, switches
from warroom.intake.rules import rulebook
from warroom.intake.rules.routing import Rule
from warroom.intake.schemas import IntegrationIn, Matcher
from warroom.intake.sources import generic
from warroom.intake.sources.generic import GenericAlert

alert_app = typer.Typer(help="Received alerts.", no_args_is_help=True)
rules_app = typer.Typer(help="Routing rules: which alerts become which incidents.",
                        no_args_is_help=True)
silence_app = typer.Typer(help="Silences: alerts that open nothing for a while.",
                          no_args_is_help=True)
integration_app = typer.Typer(help="Secret receiver URLs for monitoring tools.",
                              no_args_is_help=True)
monitoring_app = typer.Typer(help="Pause or resume incident creation from alerts.",
                             no_args_is_help=True)
COMMANDS = {"alert": alert_app, "rules": rules_app, "silence": silence_app,
            "integration": integration_app, "monitoring": monitoring_app}
DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd])$")
_Model = TypeVar("_Model", bound=BaseModel)


@alert_app.command("list")
@handles_problems
def list_alerts(status: str = typer.Option(None, help="firing or resolved"),
                held: str = typer.Option(None, help="silenced, paused or flapping"),
                name: str = typer.Option(None, help="Alert name."),
                limit: int = typer.Option(50), json_out: bool = JSON_OUT) -> None:
    """Alerts, newest first."""
    with reading() as session:
        rows, total = service.get_all(session, filters=service.Filters(
            status=status, held=held, name=name), limit=limit)
        shown = [present.alert(row) for row in rows]
    if json_out:
        emit_json({"items": shown, "total": total})
        return
    emit_table(f"Alerts ({total})", ["id", "name", "status", "severity", "incident", "held",
                                     "rule", "last seen", "count"],
               [[a.id, a.name, a.status, a.severity, a.incident, a.held, a.rule,
                 a.last_seen_at, a.receive_count] for a in shown])


@alert_app.command("send")
@handles_problems
def send(name: str = typer.Option(..., "--name", help="The alert's name (alertname)."),
         severity: str = typer.Option(None, help="sev1-sev4 or critical/high/medium/low"),
         summary: str = typer.Option("", help="One line for people."),
         labels: list[str] = typer.Option([], "--label", help="key=value (repeatable)."),
         dedup_key: str = typer.Option(None, "--dedup-key"),
         resolve: bool = typer.Option(False, "--resolve", help="Say the alert resolved."),
         as_user: str = AS_USER, json_out: bool = JSON_OUT) -> None:
    """Send one alert in the generic shape, as a tool would."""
    alert = _model(GenericAlert, name=name, severity=severity, summary=summary,
                   labels=_pairs(labels), dedup_key=dedup_key,
                   status="resolved" if resolve else "firing")
    with unit(as_user) as uow:
        report = service.receive(uow, alerts=[generic.incoming(alert)],
                                 source=generic.SOURCE.name)
    if json_out:
        emit_json({**report.summary(), "alerts": report.alerts})
        return
    outcome = report.alerts[0] if report.alerts else {}
    echo(f"{outcome.get('dedup_key')}: {outcome.get('status')}, incident "
         f"{outcome.get('incident') or '-'}, held {outcome.get('held') or '-'} "
         f"(rule {outcome.get('rule')})")


@rules_app.command("list")
@handles_problems
def list_rules(json_out: bool = JSON_OUT) -> None:
    """Every routing rule in the order tried."""
    with reading() as session:
        ruleset = rulebook.build(session)
    if json_out:
        emit_json([{"name": r.name, "origin": r.origin, "rule": r.rule.model_dump(mode="json")}
                   for r in ruleset.rules])
        return
    emit_table("Routing rules (first match wins; fallback last)",
               ["#", "name", "match", "type", "severity", "playbook", "policy", "origin"],
               [[i, r.name, _matchers(r.rule), r.rule.type, r.rule.severity,
                 r.rule.playbook, r.rule.escalation_policy, r.origin]
                for i, r in enumerate(ruleset.rules)])


@rules_app.command("reload")
@handles_problems
def reload_rules(as_user: str = AS_USER) -> None:
    """Check rules/routing/*.yaml and make every warroom process use them now
    (refused, with every problem named, if they do not validate)."""
    with unit(as_user) as uow:
        ruleset = rulebook.reload(uow)
    echo(f"{len(ruleset.rules)} routing rules in use (generation {ruleset.generation})")


@rules_app.command("test")
@handles_problems
def test_rule(labels: list[str] = typer.Option(..., "--label", help="key=value (repeatable).")
              ) -> None:
    """Which rule alerts with these labels match."""
    with reading() as session:
        rule = rulebook.build(session).route(_pairs(labels))
    echo(f"{rule.name} ({rule.origin}): {rule.rule.type}, {rule.rule.severity}, "
         f"playbook {rule.rule.playbook or '-'}, policy {rule.rule.escalation_policy or '-'}")


@rules_app.command("add")
@handles_problems
def add_rules(path: Path = typer.Argument(..., help="A YAML file with a 'rules:' list."),
              position: int = typer.Option(100, help="Stored rules are tried by position."),
              as_user: str = AS_USER) -> None:
    """Store rules (tried before the shipped ones; a rule named like a shipped
    rule replaces it). A rule already stored under that name is changed."""
    raw = yaml.safe_load(path.read_text()) or {}
    entries = raw.get("rules") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise Invalid(f"{path} has no 'rules:' list.")
    with unit(as_user) as uow:
        for entry in entries:
            rule = _model(Rule, **entry) if isinstance(entry, dict) else _model(Rule)
            if rulebook.get_record(uow.session, name=rule.name) is None:
                rulebook.create(uow, rule=rule, position=position)
            else:
                rulebook.update(uow, name=rule.name, rule=rule, position=position)
    echo(f"stored {len(entries)} rule(s)")


@rules_app.command("remove")
@handles_problems
def remove_rule(name: str, as_user: str = AS_USER) -> None:
    """Delete a stored rule (a shipped rule it replaced comes back)."""
    with unit(as_user) as uow:
        rulebook.delete(uow, name=name)
    echo(f"removed {name}")


@silence_app.command("add")
@handles_problems
def add_silence(match: list[str] = typer.Option([], "--match", help="label=value"),
                match_re: list[str] = typer.Option([], "--match-re", help="label=regex"),
                duration: str = typer.Option(..., help="How long: 30m, 2h, 1d."),
                comment: str = typer.Option(..., help="Why."),
                as_user: str = AS_USER, json_out: bool = JSON_OUT) -> None:
    """Silence alerts matching every matcher, from now."""
    matchers = [Matcher(name=k, value=v) for k, v in _pairs(match).items()]
    matchers += [Matcher(name=k, value=v, is_regex=True) for k, v in _pairs(match_re).items()]
    if not matchers:
        raise Invalid("Give at least one --match or --match-re.")
    with unit(as_user) as uow:
        silence = silences.create(uow, matchers=matchers, comment=comment,
                                  duration=_duration(duration))
        shown = present.silence(silence, now=uow.now())
    if json_out:
        emit_json(shown)
    else:
        echo(f"silence {shown.id} until {shown.ends_at:%Y-%m-%d %H:%M} UTC")


@silence_app.command("list")
@handles_problems
def list_silences(state: str = typer.Option(None, help="pending, active or expired"),
                  json_out: bool = JSON_OUT) -> None:
    moment = now()
    with reading() as session:
        shown = [present.silence(s, now=moment)
                 for s in silences.get_all(session, state=state, now=moment)]
    if json_out:
        emit_json(shown)
        return
    emit_table("Silences", ["id", "state", "matchers", "starts", "ends", "by", "comment"],
               [[s.id, s.state, _matcher_text(s.matchers), s.starts_at, s.ends_at,
                 s.created_by, s.comment] for s in shown])


@silence_app.command("expire")
@handles_problems
def expire_silence(silence_id: int, as_user: str = AS_USER) -> None:
    """End a silence now; the alerts it held that still fire are placed."""
    with unit(as_user) as uow:
        placed = service.expire_silence(uow, silence_id=silence_id)
    opened = service.opened_by(placed)
    echo(f"silence {silence_id} expired" + (f"; opened {', '.join(opened)}"
                                            if opened else ""))


@integration_app.command("create")
@handles_problems
def create_integration(name: str, kind: str = typer.Option(..., help="alertmanager, generic "
                                                           "or pagerduty"),
                       as_user: str = AS_USER, json_out: bool = JSON_OUT) -> None:
    """Create a secret receiver URL; the key is printed once."""
    body = _model(IntegrationIn, name=name, kind=kind)
    with unit(as_user) as uow:
        shown = present.issued(integrations.create(uow, name=body.name, kind=body.kind))
    if json_out:
        emit_json(shown)
    else:
        echo(f"integration {shown.id} ({shown.kind}); key shown once: {shown.key}\n"
             f"send alerts to: {shown.url}")


@integration_app.command("list")
@handles_problems
def list_integrations(json_out: bool = JSON_OUT) -> None:
    with reading() as session:
        shown = [present.integration(row) for row in integrations.get_all(session)]
    if json_out:
        emit_json(shown)
        return
    emit_table("Integrations", ["id", "name", "kind", "key", "created", "revoked"],
               [[i.id, i.name, i.kind, f"{i.prefix}...", i.created_at, i.revoked_at]
                for i in shown])


@integration_app.command("revoke")
@handles_problems
def revoke_integration(integration_id: int, as_user: str = AS_USER) -> None:
    with unit(as_user) as uow:
        integrations.revoke(uow, integration_id=integration_id)
    echo(f"integration {integration_id} revoked")


@monitoring_app.command("status")
@handles_problems
def monitoring_status() -> None:
    with reading() as session:
        state = switches.read(session)
    word = "enabled" if state.monitoring_enabled else "PAUSED (alerts open no incidents)"
    echo(f"monitoring {word}; last changed by {state.monitoring_changed_by or '-'}")


@monitoring_app.command("on")
@handles_problems
def monitoring_on(as_user: str = AS_USER) -> None:
    """Resume incident creation; still-firing held alerts are placed now."""
    with unit(as_user) as uow:
        placed = service.set_monitoring(uow, enabled=True)
    opened = service.opened_by(placed)
    echo("monitoring enabled" + (f"; opened {', '.join(opened)}" if opened else ""))


@monitoring_app.command("off")
@handles_problems
def monitoring_off(reason: str = typer.Option(None, help="Why (kept in the audit log)."),
                   as_user: str = AS_USER) -> None:
    """Pause incident creation from alerts (they are still stored)."""
    with unit(as_user) as uow:
        service.set_monitoring(uow, enabled=False, reason=reason)
    echo("monitoring paused: alerts are stored but open no incidents")


def _pairs(items: list[str]) -> dict[str, str]:
    pairs = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise Invalid(f"{item!r} is not key=value.")
        pairs[key.strip()] = value.strip()
    return pairs


def _duration(text: str) -> timedelta:
    match = DURATION.match(text.strip())
    if match is None:
        raise Invalid(f"{text!r} is not a duration; write e.g. 30m, 2h or 1d.")
    unit_seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]
    return timedelta(seconds=float(match.group(1)) * unit_seconds)


def _model(model: type[_Model], **fields: object) -> _Model:
    try:
        return model(**{k: v for k, v in fields.items() if v is not None})
    except ValidationError as bad:
        first = bad.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or model.__name__
        message = str(first.get("msg", "is invalid")).removeprefix("Value error, ")
        raise Invalid(f"{where}: {message}") from None


def _matchers(rule: Rule) -> str:
    parts = [f"{k}={v}" for k, v in rule.match.items()]
    parts += [f"{k}=~{v}" for k, v in rule.match_re.items()]
    return ", ".join(parts) or "(fallback)"


def _matcher_text(matchers: list[Matcher]) -> str:
    operators = {(False, True): "=", (False, False): "!=", (True, True): "=~",
                 (True, False): "!~"}
    return ", ".join(f"{m.name}{operators[(m.is_regex, m.is_equal)]}{m.value}" for m in matchers)
