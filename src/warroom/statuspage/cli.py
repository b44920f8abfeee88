"""``warroom status ...``: the status page from the command line, through the
same services as the API."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import typer

from warroom import config
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
from warroom.db import UnitOfWork
from warroom.errors import Invalid
from warroom.statuspage import present, records, service
from warroom.statuspage.components import service as components
from warroom.statuspage.notices import incidents, maintenance
from warroom.statuspage.records import INCIDENT, MAINTENANCE
from warroom.statuspage.schemas import ComponentOut, EntryOut
from warroom.statuspage.subscribers import service as subscriber_service

status_app = typer.Typer(help="The public status page: components, incidents, maintenance, "
                              "subscribers.", no_args_is_help=True)
component_app = typer.Typer(help="Components and their statuses.", no_args_is_help=True)
incident_app = typer.Typer(help="Public incidents (written for the public).",
                           no_args_is_help=True)
maintenance_app = typer.Typer(help="Scheduled maintenance windows.", no_args_is_help=True)
subscriber_app = typer.Typer(help="Email and webhook subscribers.", no_args_is_help=True)
status_app.add_typer(component_app, name="component")
status_app.add_typer(incident_app, name="incident")
status_app.add_typer(maintenance_app, name="maintenance")
status_app.add_typer(subscriber_app, name="subscriber")
statuspage_app = typer.Typer(help="The page as Statuspage's manage API sees it: its page id "
                                  "and component ids.", no_args_is_help=True)
COMMANDS = {"status": status_app, "statuspage": statuspage_app}

COMPONENT_OPTION = typer.Option([], "--component", "-c",
                                help="name=status, e.g. media=degraded (repeatable).")


@status_app.command("show")
@handles_problems
def show(json_out: bool = JSON_OUT) -> None:
    """The page as the public sees it: indicator, components, maintenance mode."""
    with ready() as uow:
        view = present.overview(uow.session)
    if json_out:
        emit_json(view)
        return
    echo(f"{view.name}: {view.description} ({view.indicator})  {view.url}")
    if view.maintenance_mode:
        echo(f"maintenance mode: {view.maintenance_mode.name}")
    _component_table(view.components)


@statuspage_app.command("show")
@handles_problems
def statuspage_show(json_out: bool = JSON_OUT) -> None:
    """The page id, the manage API's base URL and the component ids that
    scripts written for api.statuspage.io need."""
    with ready() as uow:
        view = present.overview(uow.session)
    api_base = f"{config.get_settings().base_url.rstrip('/')}/v1/pages/{view.id}"
    if json_out:
        emit_json({"page_id": view.id, "name": view.name, "url": view.url,
                   "api": api_base, "components": [{"id": c.id, "name": c.name,
                                                    "status": c.status}
                                                   for c in view.components]})
        return
    echo(f"page id: {view.id}")
    echo(f"name: {view.name}  {view.url}")
    echo(f"manage API: {api_base}/... (Authorization: OAuth <warroom API token>)")
    _component_table(view.components)


@status_app.command("set")
@handles_problems
def report(status: str = typer.Option(..., "--status", "-s", help="degraded, outage, "
                                      "operational, monitoring, resolved, ..."),
           message: str = typer.Option(None, "--message", "-m"),
           component: list[str] = COMPONENT_OPTION,
           title: str = typer.Option(None, "--title"),
           incident: str = typer.Option(None, "--incident", help="Public incident to update."),
           notify: bool = typer.Option(True, "--notify/--no-notify"),
           as_user: str = AS_USER, json_out: bool = JSON_OUT) -> None:
    """The seed's status update (same as POST /api/v1/admin/status)."""
    with ready(as_user) as uow:
        notice = service.report_status(uow, report=service.StatusReport(
            status=status, message=message, components=_pairs(component), title=title,
            incident=incident, notify=notify))
        view = present.overview(uow.session, current=notice)
    if json_out:
        emit_json(view)
        return
    echo(f"{view.description} ({view.indicator})")
    if view.current_incident:
        echo(f"{view.current_incident.id}: {view.current_incident.name} is "
             f"{view.current_incident.status}")


@status_app.command("maintenance-mode")
@handles_problems
def maintenance_mode(state: str = typer.Argument(..., help="on or off"),
                     message: str = typer.Option(None, "--message", "-m"),
                     component: list[str] = typer.Option([], "--component", "-c",
                                                         help="Only these (repeatable)."),
                     as_user: str = AS_USER) -> None:
    """Seed 002's maintenance mode (same as POST /api/v1/admin/maintenance)."""
    if state not in ("on", "off"):
        raise Invalid(f"Say on or off, not {state!r}.")
    with ready(as_user) as uow:
        window = service.set_maintenance_mode(uow, enabled=state == "on", message=message,
                                              component_names=component or None)
    echo(f"maintenance mode on ({window.code})" if window else "maintenance mode off")


@component_app.command("list")
@handles_problems
def list_components(json_out: bool = JSON_OUT) -> None:
    with ready() as uow:
        views = [present.component(c) for c in components.get_all(uow.session)]
    if json_out:
        emit_json(views)
    else:
        _component_table(views)


@component_app.command("add")
@handles_problems
def add_component(name: str, description: str = typer.Option("", "--description", "-d"),
                  group: str = typer.Option(None, "--group"),
                  position: int = typer.Option(None, "--position"),
                  status: str = typer.Option("operational", "--status"),
                  as_user: str = AS_USER) -> None:
    with ready(as_user) as uow:
        row = components.create(uow, name=name, description=description, group=group,
                                position=position, status=status)
    echo(f"added component {row.name} ({row.code})")


@component_app.command("edit")
@handles_problems
def edit_component(name: str, new_name: str = typer.Option(None, "--name"),
                   description: str = typer.Option(None, "--description", "-d"),
                   group: str = typer.Option(None, "--group", help="'' for no group"),
                   position: int = typer.Option(None, "--position"),
                   status: str = typer.Option(None, "--status"),
                   showcase: bool = typer.Option(None, "--showcase/--no-showcase",
                                                 help="Show its uptime bar."),
                   as_user: str = AS_USER) -> None:
    with ready(as_user) as uow:
        row = components.get_by_name_or_raise(uow.session, name=name)
        components.update(uow, component=row, changes={
            "name": new_name, "description": description, "group": group,
            "position": position, "status": status, "showcase": showcase})
    echo(f"{row.name}: {row.status}")


@component_app.command("remove")
@handles_problems
def remove_component(name: str, as_user: str = AS_USER) -> None:
    with ready(as_user) as uow:
        components.delete(uow, component=components.get_by_name_or_raise(uow.session,
                                                                         name=name))
    echo(f"removed component {name}")


@incident_app.command("list")
@handles_problems
def list_incidents(status: str = typer.Option(None, help="open or finished"),
                   json_out: bool = JSON_OUT) -> None:
    _list_entries(INCIDENT, status, json_out)


@incident_app.command("show")
@handles_problems
def show_incident(code: str, json_out: bool = JSON_OUT) -> None:
    _show_entry(code, INCIDENT, json_out)


@incident_app.command("open")
@handles_problems
def open_incident(name: str, body: str = typer.Option(..., "--body", "-b"),
                  status: str = typer.Option("investigating", "--status"),
                  component: list[str] = COMPONENT_OPTION,
                  impact: str = typer.Option(None, "--impact"),
                  internal: str = typer.Option(None, "--internal", help="e.g. INC-42"),
                  notify: bool = typer.Option(True, "--notify/--no-notify"),
                  as_user: str = AS_USER) -> None:
    """Open a public incident (its text is written for the public)."""
    with ready(as_user) as uow:
        row = incidents.create(uow, name=name, impact_override=impact, internal_ref=internal,
                               posting=incidents.posting(uow.session, status=status, body=body,
                                                         wanted=_pairs(component),
                                                         deliver_notifications=notify))
    echo(f"opened {row.code}: {row.name} ({row.status})")


@incident_app.command("update")
@handles_problems
def update_incident(code: str, status: str = typer.Option(..., "--status"),
                    body: str = typer.Option(None, "--body", "-b"),
                    component: list[str] = COMPONENT_OPTION,
                    notify: bool = typer.Option(True, "--notify/--no-notify"),
                    as_user: str = AS_USER) -> None:
    with ready(as_user) as uow:
        row = records.get_by_code_or_raise(uow.session, code=code)
        incidents.post_update(uow, incident=row, posting=incidents.posting(
            uow.session, status=status, body=body or incidents.default_body(status),
            wanted=_pairs(component), deliver_notifications=notify))
    echo(f"{row.code}: {row.status}")


@incident_app.command("edit")
@handles_problems
def edit_incident(code: str, name: str = typer.Option(None, "--name"),
                  impact: str = typer.Option(None, "--impact"),
                  internal: str = typer.Option(None, "--internal", help="'' to unlink"),
                  as_user: str = AS_USER) -> None:
    changes: dict[str, str | None] = {"name": name, "impact": impact}
    if internal is not None:
        changes["internal_incident"] = internal
    with ready(as_user) as uow:
        row = records.get_by_code_or_raise(uow.session, code=code)
        incidents.edit(uow, incident=row, changes=changes)
    echo(f"{row.code}: {row.name}")


@incident_app.command("delete")
@handles_problems
def delete_incident(code: str, as_user: str = AS_USER) -> None:
    with ready(as_user) as uow:
        incidents.delete(uow, incident=records.get_by_code_or_raise(uow.session, code=code))
    echo(f"deleted {code}")


@maintenance_app.command("list")
@handles_problems
def list_maintenance(status: str = typer.Option(None, help="open or finished"),
                     json_out: bool = JSON_OUT) -> None:
    _list_entries(MAINTENANCE, status, json_out)


@maintenance_app.command("show")
@handles_problems
def show_maintenance(code: str, json_out: bool = JSON_OUT) -> None:
    _show_entry(code, MAINTENANCE, json_out)


@maintenance_app.command("schedule")
@handles_problems
def schedule(name: str, starts: datetime = typer.Option(..., "--from", help="UTC unless "
                                                        "a zone is given"),
             ends: datetime = typer.Option(..., "--until"),
             component: list[str] = typer.Option([], "--component", "-c",
                                                 help="Affected component (repeatable)."),
             body: str = typer.Option(None, "--body", "-b"),
             manual: bool = typer.Option(False, "--manual",
                                         help="Do not start and end on the clock."),
             verify_minutes: int = typer.Option(None, "--verify-minutes"),
             as_user: str = AS_USER) -> None:
    """Announce a window; the worker starts and ends it on time."""
    with ready(as_user) as uow:
        row = maintenance.schedule(uow, name=name, scheduled_for=_utc(starts),
                                   scheduled_until=_utc(ends), component_names=component,
                                   body=body, auto_transition=not manual,
                                   verify_minutes=verify_minutes)
    echo(f"scheduled {row.code}: {row.name}")


@maintenance_app.command("move")
@handles_problems
def move(code: str, status: str, body: str = typer.Option(None, "--body", "-b"),
         as_user: str = AS_USER) -> None:
    """Move a window by hand: in_progress, verifying or completed."""
    with ready(as_user) as uow:
        row = records.get_by_code_or_raise(uow.session, code=code, kind=MAINTENANCE)
        maintenance.move(uow, window=row, status=status, body=body)
    echo(f"{row.code}: {row.status}")


@maintenance_app.command("delete")
@handles_problems
def delete_maintenance(code: str, as_user: str = AS_USER) -> None:
    """Cancel a window that has not started."""
    with ready(as_user) as uow:
        row = records.get_by_code_or_raise(uow.session, code=code, kind=MAINTENANCE)
        if row.status != "scheduled":
            raise Invalid(f"Maintenance {code} is {row.status}; move it to completed instead.")
        incidents.delete(uow, incident=row)
    echo(f"cancelled {code}")


@subscriber_app.command("list")
@handles_problems
def list_subscribers(kind: str = typer.Option(None), status: str = typer.Option(None),
                     json_out: bool = JSON_OUT) -> None:
    with reading() as session:
        rows, total = subscriber_service.get_all(session, kind=kind, status=status, limit=500)
        views = [present.subscriber(s) for s in rows]
    if json_out:
        emit_json({"items": views, "total": total})
        return
    emit_table(f"Subscribers ({total})", ["id", "kind", "destination", "status", "since"],
               [[v.id, v.kind, v.destination, v.status, v.created_at] for v in views])


@subscriber_app.command("add-email")
@handles_problems
def add_email(email: str, as_user: str = AS_USER) -> None:
    """Send a confirmation link (nothing else is sent until it is used)."""
    with ready(as_user) as uow:
        row = subscriber_service.subscribe_email(uow, email=email)
    echo(f"{row.code}: {row.destination} is {row.status}")


@subscriber_app.command("add-webhook")
@handles_problems
def add_webhook(url: str, secret: str = typer.Option(None, "--secret"),
                as_user: str = AS_USER) -> None:
    """Add a signed webhook; prints its signing secret once."""
    with ready(as_user) as uow:
        row, issued = subscriber_service.add_webhook(uow, url=url, secret=secret)
    echo(f"{row.code}: {row.destination} is {row.status}")
    echo(f"signing secret (shown once): {issued}")


@subscriber_app.command("remove")
@handles_problems
def remove_subscriber(code: str, as_user: str = AS_USER) -> None:
    with ready(as_user) as uow:
        subscriber_service.remove(uow, subscriber=subscriber_service.get_by_code_or_raise(
            uow.session, code=code))
    echo(f"removed {code}")


@contextmanager
def ready(as_user: str | None = None) -> Iterator[UnitOfWork]:
    """A unit of work on a page that has its default components."""
    with unit(as_user) as uow:
        components.ensure_defaults(uow)
        yield uow


def _component_table(views: list[ComponentOut]) -> None:
    emit_table("Components", ["name", "status", "group", "position", "id"],
               [[c.name, c.status, c.group, c.position, c.id] for c in views])


def _list_entries(kind: str, status: str | None, json_out: bool) -> None:
    if status not in (None, "open", "finished"):
        raise Invalid(f"--status is open or finished, not {status!r}.")
    with reading() as session:
        rows = records.get_all(session, kind=kind, limit=200,
                                 finished=None if status is None else status == "finished")
        views = [present.entry(session, r) for r in rows]
    if json_out:
        emit_json(views)
        return
    emit_table("Public incidents" if kind == INCIDENT else "Maintenance",
               ["id", "status", "impact", "name", "window", "internal"],
               [[v.id, v.status, v.impact, v.name, _window(v), v.internal_incident]
                for v in views])


def _show_entry(code: str, kind: str, json_out: bool) -> None:
    with reading() as session:
        view = present.entry(session, records.get_by_code_or_raise(session, code=code,
                                                                     kind=kind))
    if json_out:
        emit_json(view)
        return
    echo(f"{view.id} {view.name}: {view.status}, impact {view.impact}  {view.public_url}")
    emit_table("Updates", ["at", "status", "text"],
               [[u.created_at, u.status, u.body] for u in view.updates])


def _window(view: EntryOut) -> str:
    if view.scheduled_for is None:
        return "-"
    until = f"{view.scheduled_until:%Y-%m-%d %H:%M}" if view.scheduled_until else "off"
    return f"{view.scheduled_for:%Y-%m-%d %H:%M} to {until}"


def _pairs(pairs: list[str]) -> dict[str, str]:
    found = {}
    for pair in pairs:
        name, sep, status = pair.partition("=")
        if not sep:
            raise Invalid(f"Components are given as name=status, not {pair!r}.")
        found[name.strip()] = status.strip()
    return found


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
