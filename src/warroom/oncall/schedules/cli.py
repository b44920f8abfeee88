"""``warroom oncall schedule ...`` and ``warroom oncall who``."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import typer

from warroom.cli_support import (
    JSON_OUT,
    echo,
    emit_json,
    emit_table,
    handles_problems,
    reading,
    unit,
)
from warroom.clock import now
from warroom.oncall.naming import usernames
from warroom.oncall.schedules import calendar, service
from warroom.oncall.schedules.api import present

schedule_app = typer.Typer(help="On-call schedules: rotations, overrides, calendars.",
                           no_args_is_help=True)


@handles_problems
def who(schedule: str, at: datetime = typer.Option(None, "--at", help="A moment, e.g. "
        "2026-03-29T08:30 (in the schedule's zone unless it has an offset)."),
        json_out: bool = JSON_OUT) -> None:
    """Who is on call for SCHEDULE now (or --at a moment)."""
    with reading() as session:
        found = service.get_by_name_or_raise(session, name=schedule)
        moment = service.in_zone(at, service.zone(found.time_zone)) if at else now()
        names = [u.username for u in service.on_call(session, schedule=found, at=moment)]
    if json_out:
        emit_json({"schedule": found.name, "at": moment.isoformat(), "users": names})
    else:
        echo(f"{found.name} at {moment:%Y-%m-%d %H:%M} UTC: "
             f"{', '.join(names) or 'nobody is on call'}")


@schedule_app.command("create")
@handles_problems
def create(name: str, time_zone: str = typer.Option("UTC", "--tz", help="IANA zone, e.g. "
           "Europe/Berlin."), description: str = typer.Option("", "--description")) -> None:
    """Create a schedule."""
    with unit() as uow:
        service.create(uow, name=name, time_zone=time_zone, description=description)
    echo(f"created schedule {name} ({time_zone})")


@schedule_app.command("list")
@handles_problems
def list_schedules(json_out: bool = JSON_OUT) -> None:
    """Schedules and who is on call in each now."""
    with reading() as session:
        views = [present(session, s, now=now()) for s in service.get_all(session)]
    if json_out:
        emit_json(views)
    else:
        emit_table("Schedules", ["name", "time zone", "layers", "on call now"],
                   [[v.name, v.time_zone, len(v.layers), v.on_call_now] for v in views])


@schedule_app.command("show")
@handles_problems
def show(name: str, json_out: bool = JSON_OUT) -> None:
    """A schedule's layers and overrides."""
    with reading() as session:
        view = present(session, service.get_by_name_or_raise(session, name=name), now=now())
    if json_out:
        emit_json(view)
        return
    echo(f"{view.name} ({view.time_zone}): on call now: "
         f"{', '.join(view.on_call_now) or 'nobody'}")
    emit_table("Layers (highest rank wins)", ["id", "rank", "name", "rotation", "hours",
                                              "starts", "participants", "window"],
               [[la.id, la.rank, la.name, la.rotation, la.shift_hours, la.starts_at,
                 la.participants, f"{la.active_days} {la.active_from or ''}-"
                                  f"{la.active_until or ''}".strip(" -")]
                for la in view.layers])
    emit_table("Overrides", ["id", "user", "replaces", "from", "until", "reason"],
               [[o.id, o.user, o.replaces, o.starts_at, o.ends_at, o.reason]
                for o in view.overrides])


@schedule_app.command("add-layer")
@handles_problems
def add_layer(name: str,
              rotation: str = typer.Option(..., help="daily, weekly or custom"),
              participants: list[str] = typer.Option(..., "--participant",
                                                     help="Username, in turn (repeatable)."),
              starts_at: datetime = typer.Option(..., "--starts-at", help="First handoff, "
                                                 "e.g. 2026-03-02T09:00 (schedule's zone)."),
              shift_hours: int = typer.Option(None, "--shift-hours", help="For custom."),
              rank: int = typer.Option(None, help="Higher wins; default: on top."),
              layer_name: str = typer.Option("", "--name"),
              days: str = typer.Option("", "--days", help="Window days, e.g. mon-fri."),
              active_from: str = typer.Option(None, "--from", help="Window start, HH:MM."),
              active_until: str = typer.Option(None, "--until", help="Window end, HH:MM."),
              ends_at: datetime = typer.Option(None, "--ends-at")) -> None:
    """Add a rotation layer to a schedule."""
    with unit() as uow:
        schedule = service.get_by_name_or_raise(uow.session, name=name)
        layer = service.add_layer(uow, schedule=schedule, spec=service.LayerSpec(
            name=layer_name, rotation=rotation, participants=participants,
            starts_at=starts_at, shift_hours=shift_hours, rank=rank, ends_at=ends_at,
            active_days=days, active_from=active_from, active_until=active_until))
    echo(f"added layer {layer.id} ({layer.rotation}, rank {layer.rank}) to {name}")


@schedule_app.command("override")
@handles_problems
def override(name: str, user: str = typer.Option(..., "--user", help="Who covers."),
             starts_at: datetime = typer.Option(..., "--from"),
             ends_at: datetime = typer.Option(..., "--until"),
             replaces: str = typer.Option(None, "--replaces", help="Only instead of this "
                                          "person (default: whoever is on call)."),
             reason: str = typer.Option("", "--reason")) -> None:
    """Put someone on call for a while."""
    with unit() as uow:
        schedule = service.get_by_name_or_raise(uow.session, name=name)
        found = service.add_override(uow, schedule=schedule, username=user,
                                     starts_at=starts_at, ends_at=ends_at, replaces=replaces,
                                     reason=reason)
    echo(f"override {found.id}: {user} on call in {name} from "
         f"{found.starts_at:%Y-%m-%d %H:%M} to {found.ends_at:%Y-%m-%d %H:%M} UTC")


@schedule_app.command("shifts")
@handles_problems
def shifts(name: str, days: int = typer.Option(14, help="How many days ahead."),
           json_out: bool = JSON_OUT) -> None:
    """The final schedule: who is on call when."""
    with reading() as session:
        schedule = service.get_by_name_or_raise(session, name=name)
        start = now()
        found = service.shifts(session, schedule=schedule, start=start,
                               end=start + timedelta(days=days))
        names = usernames(session)
    rows = [{"starts_at": s.starts_at, "ends_at": s.ends_at,
             "users": [names.get(u, str(u)) for u in s.user_ids]} for s in found]
    if json_out:
        emit_json(rows)
    else:
        emit_table(f"{name}: next {days} days (UTC)", ["from", "until", "on call"],
                   [[r["starts_at"], r["ends_at"], r["users"]] for r in rows])


@schedule_app.command("calendar")
@handles_problems
def export_calendar(name: str, out: Path = typer.Option(None, "--out", help="File to write "
                    "(default: stdout)."), days: int = typer.Option(60)) -> None:
    """Export the schedule as iCalendar."""
    with reading() as session:
        schedule = service.get_by_name_or_raise(session, name=name)
        moment = now()
        body = calendar.for_schedule(session, schedule=schedule,
                                     start=moment - timedelta(days=1),
                                     end=moment + timedelta(days=days), now=moment)
    write_output(body, out)


def write_output(body: bytes, out: Path | None) -> None:
    if out is None:
        echo(body.decode(), nl=False)
    else:
        out.write_bytes(body)
        echo(f"wrote {out}")

