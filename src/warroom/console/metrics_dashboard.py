"""The metrics dashboard, ``/metrics-dashboard``: response figures across
incidents, grouped as the API groups them.

It reads exactly what ``GET /api/v1/metrics/response`` returns for the same
query (``aggregate.response``), with the same permission (metrics:read), so
the screen and the API can never disagree. The form is a plain GET form (it
works with JavaScript off and every view has a URL to share); a bad window or
grouping re-renders the form with the sentence beside its field, status 400.
Charts are the server-rendered SVG of ``reviews.charts``, inline, each with a
``<title>`` and the table above it as its text alternative.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request

from warroom.auth.permissions import Permission
from warroom.console.screens import render
from warroom.console.session import console_requires
from warroom.db import Actor
from warroom.errors import Problem
from warroom.reviews import aggregate, charts, definitions

if TYPE_CHECKING:
    from starlette.responses import Response

router = APIRouter(include_in_schema=False)
Reader = Annotated[Actor, console_requires(Permission.metrics_read)]

GROUPINGS = (("severity", "Severity"), ("type", "Incident type"), ("service", "Service"),
             ("team", "Team"), ("month", "Month started"))
WINDOWS = (("30d", "Last 30 days"), ("90d", "Last 90 days"), ("1y", "Last year"),
           ("custom", "Since a date"))
SPANS = {"30d": "30d", "90d": "90d", "1y": "365d"}
"""What each window of the form asks ``aggregate.since`` for."""
BUILT_IN = {
    "response_target": ("Response target (declaration to acknowledgement)",
                        "the declared and acknowledged milestones, judged against the "
                        "severity's response target (rules/severities.yaml)"),
    "pages_before_ack": ("Pages sent before the first acknowledgement",
                         "pages sent by escalation up to the acknowledged milestone"),
    "escalation_tiers": ("Escalation tiers reached",
                         "the distinct escalation steps that sent a page"),
}
"""Titles and sources of the figures computed by code, not by a definition."""


@dataclass(frozen=True)
class Shown:
    """One figure's section: its title, what it is measured between, its unit."""

    name: str
    title: str
    source: str
    unit: str


@router.get("/metrics-dashboard")
def dashboard(request: Request, actor: Reader,
              by: Annotated[str, Query(max_length=20)] = "severity",
              since: Annotated[str, Query(max_length=40)] = "90d",
              since_date: Annotated[str, Query(alias="from", max_length=40)] = "",
              drills: Annotated[str, Query(pattern="^(|yes|on|true)$")] = "") -> Response:
    """The dashboard for one query; the API's numbers, never recomputed here."""
    now = request.app.state.clock.now()
    window = since if since in SPANS or since == "custom" else "custom"
    typed = since_date if since == "custom" else ("" if since in SPANS else since)
    form = {"by": by, "since": window, "from": typed, "drills": bool(drills)}
    errors: dict[str, str] = {}
    result: dict[str, Any] | None = None
    if by not in dict(GROUPINGS):
        errors["by"] = (f"Group by one of {', '.join(k for k, _ in GROUPINGS)}; "
                        f"{by[:20]!r} is not one of them.")
    start = None
    if window == "custom" and not typed.strip():
        errors["since"] = "Give a date such as 2026-01-31 (or a span such as 12w) to start from."
    else:
        try:
            start = aggregate.since(SPANS.get(since, typed), now)
        except Problem as problem:
            errors["since"] = problem.detail
    if not errors:
        query = aggregate.Query(by=by, since=start, drills=bool(drills))
        try:
            with request.app.state.database.read() as session:
                result = aggregate.response(session, query, now=now)
        except Problem as problem:
            errors["by"] = problem.detail
    return render(request, actor, "metrics_dashboard.html", {
        "form": form, "errors": errors, "groupings": GROUPINGS, "windows": WINDOWS,
        "result": result, "start": start, "now": now,
        "sections": _sections(result) if result else [],
        "by_title": dict(GROUPINGS).get(by, by), "number": number,
        "drill_down": lambda key, grouping=by: drill_down(grouping, key, drills=bool(drills))},
        status=400 if errors else 200)


DRILLABLE = ("severity", "type", "service")
"""Groupings the console's incident list can filter by (it has no team or month filter)."""


def drill_down(by: str, key: str, *, drills: bool) -> str | None:
    """The incident list filtered to one group's incidents, or None when the
    list cannot filter by this grouping. The list is not limited to the
    dashboard's window, so the page says so beside the link."""
    if by not in DRILLABLE:
        return None
    query = {by: key, **({} if drills else {"drill": "no"})}
    return f"/incidents?{urlencode(query)}"


def _sections(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Per figure: its rows (group and numbers) and, for durations, the chart."""
    sections = []
    for shown in _figures(result):
        rows = [{"key": g["key"], **g["metrics"][shown.name]} for g in result["groups"]
                if shown.name in g["metrics"]]
        chart = None
        if rows and shown.unit == "seconds":
            chart = charts.p50_p90(f"{shown.title}: p50 and p90 by {result['by']}",
                                   [(r["key"], r["p50"], r["p90"]) for r in rows])
        sections.append({"figure": shown, "rows": rows, "chart": chart})
    return sections


def _figures(result: dict[str, Any]) -> list[Shown]:
    """The figures the API answered for, in the order of the definitions file."""
    defined = {d.name: d for d in definitions.metrics()}
    shown = []
    for name in result["metrics"]:
        unit = result["units"][name]
        if name in defined:
            d = defined[name]
            source = (f"from {_endpoint(d.start)} to {_endpoint(d.end)} "
                      "(rules/response-metrics.yaml)")
            shown.append(Shown(name, d.title, source, unit))
        else:
            title, source = BUILT_IN.get(name, (name.replace("_", " "), "computed by code"))
            shown.append(Shown(name, title, source, unit))
    return shown


def _endpoint(endpoint: definitions.Endpoint) -> str:
    if isinstance(endpoint, str):
        return f"the {endpoint} milestone"
    return f"the {definitions.label(endpoint)} on the timeline"


def number(value: float | None, unit: str) -> str:
    """A figure as people read it: a duration, or a plain count."""
    if value is None:
        return "-"
    return charts.duration_text(value) if unit == "seconds" else f"{value:g}"
