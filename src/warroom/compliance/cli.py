"""``warroom breach ...``: the register, its clocks, drafts and submissions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

from warroom import clock
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
from warroom.compliance import clocks, drafts, register, service, views
from warroom.compliance.submissions import Sent
from warroom.errors import Invalid
from warroom.incidents import service as incidents

breach_app = typer.Typer(help="Breach register, regulatory clocks, drafts and submissions "
                              "(a tool, not legal advice).", no_args_is_help=True)
COMMANDS = {"breach": breach_app}
SET = typer.Option([], "--set", help="A field, KEY=VALUE (lists comma-separated), e.g. "
                   "--set nature=confidentiality --set data_categories=email,name")


@breach_app.command("open")
@handles_problems
def open_breach(incident: str = typer.Argument(None, help="INC-n, or leave out to stand "
                                                          "alone"),
                title: str = typer.Option(None, "--title"),
                aware_at: str = typer.Option(None, "--aware-at",
                                             help="ISO time we became aware (confirms)"),
                basis: str = typer.Option(None, "--basis", help="Basis of awareness"),
                regimes: str = typer.Option(None, "--regimes", help="e.g. gdpr,nis2,dora"),
                fields: list[str] = SET, as_user: str = AS_USER,
                json_out: bool = JSON_OUT) -> None:
    """Open a breach record (suspected; confirmed when --aware-at is given)."""
    facts = parse_fields(fields)
    if aware_at:
        facts["aware_at"] = _moment(aware_at)
    if basis:
        facts["awareness_basis"] = basis
    if regimes:
        facts["regimes"] = _list(regimes)
    with unit(as_user) as uow:
        found = incidents.get_for_update(uow, ref=incident) if incident else None
        breach = service.open_breach(uow, title=title, incident=found, facts=facts)
        out = views.breach_view(uow.session, breach)
    _show(out, json_out)


@breach_app.command("assess")
@handles_problems
def assess(ref: str, risk: str = typer.Option(None, "--risk", help="unlikely, risk or high"),
           rationale: str = typer.Option(None, "--rationale"),
           subjects: str = typer.Option(None, "--subjects", help="A range: 1200-1500"),
           records: str = typer.Option(None, "--records", help="A range: 3000-4000"),
           to: str = typer.Option(None, "--to", help="Then move to this state"),
           fields: list[str] = SET, as_user: str = AS_USER, json_out: bool = JSON_OUT) -> None:
    """Record facts and the risk (and optionally move the record on)."""
    facts = parse_fields(fields)
    for name, value in (("risk", risk), ("risk_rationale", rationale)):
        if value:
            facts[name] = value
    for what, value in (("subjects", subjects), ("records", records)):
        if value:
            facts[f"{what}_min"], facts[f"{what}_max"] = _range(value)
    with unit(as_user) as uow:
        breach = service.get_by_ref_or_raise(uow.session, ref=ref)
        service.assess(uow, breach=breach, facts=facts)
        if to:
            service.transition(uow, breach=breach, to=to)
        out = views.breach_view(uow.session, breach)
    _show(out, json_out)


@breach_app.command("draft")
@handles_problems
def draft(ref: str, kind: str = typer.Option("sa", "--for", help="sa, subjects or public"),
          json_out: bool = JSON_OUT) -> None:
    """A draft from the record; what is still missing is named."""
    with reading() as session:
        breach = service.get_by_ref_or_raise(session, ref=ref)
        rendered = drafts.render(breach, kind=kind, reporter="warroom CLI",
                                 now=clock.current().now())
    if json_out:
        emit_json(rendered.as_dict())
        return
    echo(rendered.text, nl=False)


@breach_app.command("submit")
@handles_problems
def submit(ref: str, regime: str = typer.Option(..., "--regime"),
           obligation: str = typer.Option(..., "--obligation",
                                          help="early_warning, initial, intermediate, final, "
                                               "supplementary"),
           recipient: str = typer.Option(..., "--to", help="The authority or who was told"),
           file: Path = typer.Option(..., "--file", exists=True, dir_okay=False,
                                     help="The exact content sent"),
           channel: str = typer.Option("portal", "--channel"),
           reference: str = typer.Option(None, "--reference", help="The authority's number"),
           reasons: str = typer.Option(None, "--reasons-for-delay"),
           as_user: str = AS_USER, json_out: bool = JSON_OUT) -> None:
    """Record a notification that was sent, with its content and SHA-256."""
    with unit(as_user) as uow:
        breach = service.get_by_ref_or_raise(uow.session, ref=ref)
        row = service.record_submission(uow, breach=breach, sent=Sent(
            regime=regime, obligation=obligation, recipient=recipient, channel=channel,
            content=file.read_bytes(), filename=file.name, reference=reference,
            reasons_for_delay=reasons))
        out = views.submission_view(row)
    if json_out:
        emit_json(out)
        return
    echo(f"{ref}: {out['regime']} {out['obligation']} recorded (sha256 "
         f"{out['content_sha256']}){' LATE' if out['late'] else ''}")


@breach_app.command("clock")
@handles_problems
def list_clocks(json_out: bool = JSON_OUT) -> None:
    """Every running clock, soonest deadline first."""
    with reading() as session:
        rows = [views.clock_view(c, b) for c, b in clocks.running(session)]
    if json_out:
        emit_json(rows)
        return
    emit_table("Running clocks", ["breach", "regime", "obligation", "due", "rule", "next reminder"],
               [[r["breach"], r["regime"], r["obligation"], r["due_at"], r["rule"],
                 r["next_reminder_at"]] for r in rows])


@breach_app.command("register")
@handles_problems
def export_register(year: int = typer.Option(..., "--year"),
                    fmt: str = typer.Option("csv", "--format", help="csv or json"),
                    output: Path = typer.Option(None, "--output", "-o")) -> None:
    """The register of a year with the audit head at export time."""
    with reading() as session:
        text, _ = register.export(session, year=year, fmt=fmt, now=clock.current().now())
    if output:
        output.write_text(text)
        echo(f"wrote {output}")
        return
    echo(text, nl=False)


@breach_app.command("show")
@handles_problems
def show(ref: str, json_out: bool = JSON_OUT) -> None:
    """One record with its clocks and submissions."""
    with reading() as session:
        out = views.breach_view(session, service.get_by_ref_or_raise(session, ref=ref))
    _show(out, json_out)


def parse_fields(pairs: list[str]) -> dict[str, Any]:
    lists = {"nature", "subject_categories", "data_categories", "special_categories",
             "regimes"}
    facts: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep:
            raise typer.BadParameter(f"fields are KEY=VALUE, got {pair!r}")
        if key in lists:
            facts[key] = _list(value)
        elif key in ("aware_at", "classified_at", "other_party_notified_at"):
            facts[key] = _moment(value)
        elif key in ("subjects_min", "subjects_max", "records_min", "records_max"):
            facts[key] = _int(value)
        elif key == "cross_border":
            facts[key] = value.strip().lower() in ("1", "true", "yes")
        else:
            facts[key] = value.strip()
    return facts


def _show(out: dict[str, Any], json_out: bool) -> None:
    if json_out:
        emit_json(out)
        return
    echo(f"{out['ref']} [{out['state']}] {out['title']}")
    for name in ("incident", "aware_at", "awareness_basis", "decided_by", "risk", "regimes",
                 "dpo_notified_at", "dpo_acknowledged_at"):
        echo(f"  {name}: {out[name]}")
    for c in out["clocks"]:
        echo(f"  clock {c['regime']} {c['obligation']}: {c['state']} due {c['due_at']}")
    echo(f"  next: {', '.join(out['next_states']) or '-'}")


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(f"{text!r} is not an ISO date and time (2026-03-01T09:30Z).") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _range(text: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    return _int(low), _int(high or low)


def _int(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise Invalid(f"{text!r} is not a whole number.") from None


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]
