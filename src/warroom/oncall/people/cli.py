"""``warroom oncall person ...`` and ``warroom oncall team ...``."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import typer

from warroom.auth import service as users
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
from warroom.oncall.people import service
from warroom.oncall.people.api import present
from warroom.oncall.schedules import calendar
from warroom.oncall.schedules.cli import write_output
from warroom.oncall.teams import service as teams

person_app = typer.Typer(help="How people are reached: contact methods, rules.",
                         no_args_is_help=True)
team_app = typer.Typer(help="Teams and their members.", no_args_is_help=True)


@person_app.command("show")
@handles_problems
def show(username: str, json_out: bool = JSON_OUT) -> None:
    """A person's contact methods, notification rules and teams."""
    with reading() as session:
        view = present(session, users.get_by_username_or_raise(session, username=username))
    if json_out:
        emit_json(view)
        return
    echo(f"{view.username}: re-notify every {view.renotify_minutes or '-'} min; "
         f"teams: {', '.join(view.teams) or '-'}")
    emit_table("Contact methods", ["id", "kind", "address", "label", "signed"],
               [[m.id, m.kind, m.address, m.label, m.signed] for m in view.contact_methods])
    emit_table("Notification rules", ["id", "method", "kind", "after (min)"],
               [[r.id, r.contact_method_id, r.kind, r.delay_minutes]
                for r in view.notification_rules])


@person_app.command("add-contact")
@handles_problems
def add_contact(username: str, kind: str = typer.Option(..., help="email, sms, voice, slack "
                "or webhook"), address: str = typer.Option(...),
                label: str = typer.Option(""),
                secret: str = typer.Option(None, help="Webhook signing secret."),
                as_user: str = AS_USER) -> None:
    """Add a contact method."""
    with unit(as_user) as uow:
        person = users.get_by_username_or_raise(uow.session, username=username)
        method = service.add_contact_method(uow, user=person, kind=kind, address=address,
                                            label=label, secret=secret)
    echo(f"contact method {method.id}: {method.kind} {method.address}")


@person_app.command("remove-contact")
@handles_problems
def remove_contact(username: str, method_id: int, as_user: str = AS_USER) -> None:
    """Remove a contact method (and its rules)."""
    with unit(as_user) as uow:
        person = users.get_by_username_or_raise(uow.session, username=username)
        service.remove_contact_method(uow, user=person, method_id=method_id)
    echo(f"removed contact method {method_id}")


@person_app.command("add-rule")
@handles_problems
def add_rule(username: str, method: int = typer.Option(..., "--method", help="Contact method "
             "id."), after: int = typer.Option(0, "--after", help="Minutes after the page."),
             as_user: str = AS_USER) -> None:
    """Use a contact method N minutes after being paged, if still unacknowledged."""
    with unit(as_user) as uow:
        person = users.get_by_username_or_raise(uow.session, username=username)
        rule = service.add_notification_rule(uow, user=person, method_id=method,
                                             delay_minutes=after)
    echo(f"rule {rule.id}: method {method} after {after} min")


@person_app.command("renotify")
@handles_problems
def renotify(username: str, every: int = typer.Option(None, "--every", help="Minutes; "
             "omit to turn re-notification off."), as_user: str = AS_USER) -> None:
    """Be paged again every N minutes until someone acknowledges."""
    with unit(as_user) as uow:
        person = users.get_by_username_or_raise(uow.session, username=username)
        service.set_renotify(uow, user=person, minutes=every)
    echo(f"{username}: re-notify every {every} min" if every
         else f"{username}: re-notification off")


@person_app.command("calendar")
@handles_problems
def person_calendar(username: str, out: Path = typer.Option(None, "--out"),
                    days: int = typer.Option(60)) -> None:
    """A person's shifts across every schedule, as iCalendar."""
    with reading() as session:
        person = users.get_by_username_or_raise(session, username=username)
        moment = now()
        body = calendar.for_person(session, user=person, start=moment - timedelta(days=1),
                                   end=moment + timedelta(days=days), now=moment)
    write_output(body, out)


@team_app.command("create")
@handles_problems
def create_team(name: str, members: list[str] = typer.Option([], "--member"),
                description: str = typer.Option("", "--description")) -> None:
    """Create a team."""
    with unit() as uow:
        team = teams.create(uow, name=name, description=description)
        for member in members:
            teams.add_member(uow, team=team, username=member)
    echo(f"created team {name}")


@team_app.command("add")
@handles_problems
def add_member(team: str, username: str) -> None:
    """Add a member."""
    with unit() as uow:
        teams.add_member(uow, team=teams.get_by_name_or_raise(uow.session, name=team),
                         username=username)
    echo(f"{username} is in {team}")


@team_app.command("remove")
@handles_problems
def remove_member(team: str, username: str) -> None:
    """Remove a member."""
    with unit() as uow:
        teams.remove_member(uow, team=teams.get_by_name_or_raise(uow.session, name=team),
                            username=username)
    echo(f"{username} left {team}")


@team_app.command("list")
@handles_problems
def list_teams(json_out: bool = JSON_OUT) -> None:
    """Teams and members."""
    with reading() as session:
        data = [{"name": t.name, "members": [m.username for m in teams.members(session, team=t)]}
                for t in teams.get_all(session)]
    if json_out:
        emit_json(data)
    else:
        emit_table("Teams", ["name", "members"], [[d["name"], d["members"]] for d in data])
