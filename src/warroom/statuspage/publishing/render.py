"""Render the public page, incident pages, the Atom feed, badges and the
messages to subscribers from the templates under ``templates/``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from warroom.statuspage.components.history import DAYS, Day, overall_uptime
from warroom.statuspage.publishing.public_json import timestamp
from warroom.statuspage.vocabulary import (
    COMPONENT_LABELS,
    INCIDENT_LABELS,
    MAINTENANCE_DESCRIPTION,
    ComponentStatus,
    worst,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from warroom.statuspage.models import Component
    from warroom.statuspage.publishing.pagedata import Entry, PageData

BAR, GAP, HEIGHT = 4, 1, 28
BAR_CLASS = {"operational": "op", "degraded_performance": "deg", "partial_outage": "par",
             "major_outage": "maj", "under_maintenance": "mnt", None: "nod"}
BADGE_COLOUR = {"operational": "#1a7f37", "degraded_performance": "#8a5a00",
                "partial_outage": "#b54708", "major_outage": "#b42318",
                "under_maintenance": "#1f5fbf", "none": "#1a7f37", "minor": "#8a5a00",
                "major": "#b54708", "critical": "#b42318"}
RECENTLY = timedelta(days=7)


def status_page(data: PageData) -> bytes:
    now = data.now
    past = [e for e in data.incidents if e.row.resolved_at and now - e.row.resolved_at < RECENTLY]
    return _render("status.html", {
        **_common(data), "description": data.description,
        "tone": "maintenance" if data.description == MAINTENANCE_DESCRIPTION else data.indicator,
        "summary_line": _summary_line(data), "mode": _mode(data),
        "incidents": [entry_view(e) for e in data.unresolved],
        "active": [entry_view(e) for e in data.active if data.mode is None
                   or e.row.id != data.mode.row.id],
        "upcoming": [entry_view(e) for e in data.upcoming],
        "past": [entry_view(e) for e in past[:10]], "groups": _groups(data)}).encode()


def incident_page(data: PageData, entry: Entry) -> bytes:
    return _render("incident.html", {**_common(data), "entry": entry_view(entry)}).encode()


def message_page(data: PageData, *, heading: str, text: str, form_action: str | None = None,
                 token: str = "", button: str = "") -> str:
    """The small pages of the subscription flow (confirm, unsubscribe)."""
    return _render("message.html", {**_common(data), "heading": heading, "text": text,
                                    "form_action": form_action, "token": token,
                                    "button": button})


def atom(data: PageData) -> bytes:
    return _render("history.atom", {
        **_common(data), "feed_id": _urn(data.page_code, "feed"),
        "entries": _feed_items(data, timestamp), "updated": timestamp(data.updated_at)}).encode()


def rss(data: PageData) -> bytes:
    """The same last 100 updates as RSS 2.0, for readers and chat integrations
    that take nothing else (dates in RFC 822, as RSS requires)."""
    return _render("history.rss", {
        **_common(data), "entries": _feed_items(data, _rfc822),
        "updated": _rfc822(data.updated_at)}).encode()


def _feed_items(data: PageData, stamp: Callable[[datetime], str | None]
                ) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for entry in data.incidents + data.maintenances:
        for update in entry.updates:
            items.append({
                "id": _urn(data.page_code, update.code), "code": entry.row.code,
                "title": f"{entry.row.name}: {INCIDENT_LABELS[update.status]}",
                "at": stamp(update.created_at), "body": update.body,
                "sort": (update.created_at, update.id)})
    items.sort(key=lambda item: item["sort"], reverse=True)
    return items[:100]


def _rfc822(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def badge(label: str, value: str, colour_key: str) -> bytes:
    label_width, value_width = _text_width(label), _text_width(value)
    return _render("badge.svg", {
        "label": label, "value": value, "colour": BADGE_COLOUR.get(colour_key, "#57606a"),
        "label_width": label_width, "value_width": value_width,
        "width": label_width + value_width}).encode()


def email(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """A plain-text message whose template starts with ``Subject: ...``."""
    text = _environment().get_template(template).render(**context)
    first, _, body = text.partition("\n")
    return first.removeprefix("Subject:").strip(), body.lstrip("\n")


def entry_view(entry: Entry) -> dict[str, Any]:
    row = entry.row
    return {
        "code": row.code, "name": row.name, "impact": row.impact,
        "status_label": INCIDENT_LABELS[row.status], "window": window_text(row),
        "component_names": ", ".join(c.name for c in entry.components),
        "resolved_text": human(row.resolved_at) if row.resolved_at else "",
        "updates": [{"label": INCIDENT_LABELS[u.status], "body": u.body,
                     "iso": timestamp(u.created_at), "text": human(u.created_at)}
                    for u in entry.updates],
    }


def window_text(row: Any) -> str:
    if row.kind != "maintenance" or row.scheduled_for is None:
        return ""
    if row.scheduled_until is None:
        return f"since {human(row.scheduled_for)}"
    same_day = row.scheduled_for.date() == row.scheduled_until.date()
    end = f"{row.scheduled_until:%H:%M} UTC" if same_day else human(row.scheduled_until)
    return f"{human(row.scheduled_for).removesuffix(' UTC')} to {end}"


def human(moment: datetime) -> str:
    return f"{moment.day} {moment:%b %Y %H:%M} UTC"


def _common(data: PageData) -> dict[str, Any]:
    return {"stylesheet": _stylesheet(), "page": {
        "name": data.name, "url": data.url, "updated_iso": timestamp(data.updated_at),
        "updated_text": human(data.updated_at)}}


def _summary_line(data: PageData) -> str:
    troubled = [c for c in data.components if c.status != ComponentStatus.operational]
    if not troubled:
        return f"All {len(data.components)} components are operational."
    return "; ".join(f"{c.name}: {COMPONENT_LABELS[ComponentStatus(c.status)].lower()}"
                     for c in troubled) + "."


def _mode(data: PageData) -> dict[str, str] | None:
    if data.mode is None:
        return None
    latest = data.mode.updates[0].body if data.mode.updates else data.mode.row.name
    return {"message": latest}


@dataclass
class _Group:
    name: str | None
    components: list[dict[str, Any]]
    status: str
    label: str


def _groups(data: PageData) -> list[_Group]:
    """Components by group, in page order; a component only shown when
    degraded stays hidden while it is operational."""
    groups: dict[str | None, list[Component]] = {}
    for component in data.components:
        if component.only_show_if_degraded and component.status == "operational":
            continue
        groups.setdefault(component.group_name, []).append(component)
    shown = []
    for name, members in groups.items():
        status = worst([m.status for m in members])
        shown.append(_Group(name=name, status=status.value, label=COMPONENT_LABELS[status],
                            components=[_component_view(data, m) for m in members]))
    return shown


def _component_view(data: PageData, component: Component) -> dict[str, Any]:
    status = ComponentStatus(component.status)
    days = data.history.get(component.id, [])
    return {"name": component.name, "description": component.description,
            "status": status.value, "label": COMPONENT_LABELS[status],
            "bars": _bars(component.name, days) if component.showcase and days else None}


def _bars(name: str, days: list[Day]) -> dict[str, Any]:
    """The uptime history as one SVG path per colour, plus a titled rectangle
    for each day that was not clean (so hovering tells what happened)."""
    paths: dict[str, list[str]] = {}
    marked = []
    for index, day in enumerate(days):
        css = BAR_CLASS[day.worst]
        x = index * (BAR + GAP)
        if css in ("op", "nod"):
            paths.setdefault(css, []).append(f"M{x} 0h{BAR}v{HEIGHT}h-{BAR}z")
        else:
            marked.append({"x": x, "css": css, "text": _day_text(day)})
    uptime = overall_uptime(days)
    percent = None if uptime is None else _percent(uptime)
    bad_days = len(marked)
    summary = (f"{name}: uptime over the last {len(days)} days "
               f"{percent or 'not measured yet'}; "
               f"{bad_days} day{'s' if bad_days != 1 else ''} with problems")
    uptime_text = f"{percent} uptime" if percent else "no data yet"
    return {"width": len(days) * (BAR + GAP) - GAP, "height": HEIGHT, "bar": BAR,
            "paths": [(css, "".join(p)) for css, p in paths.items()], "marked": marked,
            "days": len(days) or DAYS, "uptime_text": uptime_text, "summary": summary}


def _day_text(day: Day) -> str:
    parts = [f"{day.day.day} {day.day:%b %Y}: {_percent(day.uptime or 0.0)} uptime"]
    for status in (ComponentStatus.major_outage, ComponentStatus.partial_outage,
                   ComponentStatus.degraded_performance, ComponentStatus.under_maintenance):
        minutes = day.minutes_in(status.value)
        if minutes:
            parts.append(f"{COMPONENT_LABELS[status].lower()} {minutes} min")
    return "; ".join(parts)


def _percent(value: float) -> str:
    text = f"{value * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


def _text_width(text: str) -> int:
    """Roughly what Verdana 11px needs, plus padding."""
    return int(len(text) * 7 + 12)


def _urn(page_code: str, name: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"warroom-statuspage:{page_code}:{name}").urn


def _render(template: str, context: dict[str, Any]) -> str:
    return _environment().get_template(template).render(**context)


@cache
def _environment() -> Environment:
    return Environment(loader=PackageLoader("warroom.statuspage", "templates"),
                       autoescape=select_autoescape(["html", "atom", "rss", "svg", "xml"]),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                       keep_trailing_newline=True)


@cache
def _stylesheet() -> str:
    return resources.files("warroom.statuspage").joinpath("static/status.css").read_text()
