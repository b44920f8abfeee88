"""Response figures across incidents, aggregated in SQL.

Percentiles are continuous (linear interpolation between the two nearest
ranks, what PostgreSQL's ``percentile_cont`` computes). PostgreSQL runs
``percentile_cont``; SQLite has no ordered-set aggregates, so there each value
is ranked with ``row_number()`` and ``count()`` windows per group and the
percentile is the weighted sum of the (at most two) rows around its position:
the same number, still in one statement. A mean is only ever returned beside
``n`` and ``p50`` (a bare mean hides the long tail).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Integer, and_, case, cast, distinct, func, literal, select

from warroom.errors import Invalid, one_of
from warroom.reviews import definitions
from warroom.reviews.models import ActionItem, Facet, Figure

if TYPE_CHECKING:
    from sqlalchemy.orm import Session
    from sqlalchemy.sql.elements import ColumnElement

GROUPINGS = ("severity", "type", "service", "team", "month", "none")
PERCENTILES = (("p50", 0.5), ("p90", 0.9))
OPEN_ITEMS = ("open", "in_progress")
TOP = 10
_SINCE = re.compile(r"^(\d{1,5})([hdw])$")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


@dataclass(frozen=True)
class Query:
    by: str = "severity"
    since: datetime | None = None
    until: datetime | None = None
    drills: bool = False
    metrics: tuple[str, ...] = ()


def since(text: str | None, now: datetime) -> datetime | None:
    """``90d``, ``12w``, ``36h`` before ``now``, or an ISO date/time."""
    if text is None or not text.strip():
        return None
    value = text.strip().lower()
    found = _SINCE.match(value)
    if found:
        return now - timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise Invalid(f"since: {text!r} is neither a span such as 90d, 12w or 36h nor an "
                      "ISO date such as 2026-01-31.") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=now.tzinfo)


def response(session: Session, query: Query, *, now: datetime) -> dict[str, Any]:
    """Figures per group, target-met rate, top services and action items."""
    if query.by not in GROUPINGS:
        raise Invalid(one_of(query.by, list(GROUPINGS), "by"))
    wanted = list(query.metrics) or definitions.names()
    unknown = [m for m in wanted if m not in definitions.names()]
    if unknown:
        raise Invalid(one_of(unknown[0], definitions.names(), "metric"))
    groups: dict[str, dict[str, Any]] = {}
    for key, count, met, judged in _targets(session, query):
        groups[key] = {"key": key, "incidents": count, "target_met": met or 0,
                       "target_judged": judged,
                       "target_met_rate": (met or 0) / judged if judged else None,
                       "metrics": {}}
    for row in _percentiles(session, query, wanted):
        group = groups.setdefault(row.grp, {"key": row.grp, "incidents": 0, "target_met": 0,
                                            "target_judged": 0, "target_met_rate": None,
                                            "metrics": {}})
        group["metrics"][row.metric] = {
            "n": row.n, "p50": _num(row.p50), "p90": _num(row.p90), "max": _num(row.max),
            "mean": _num(row.mean)}
    return {"by": query.by, "since": query.since, "until": query.until,
            "drills": query.drills, "metrics": wanted,
            "units": {m: _unit(m) for m in wanted},
            "groups": [groups[k] for k in sorted(groups)],
            "top_services": top_services(session, query),
            "action_items": action_items(session, query, now=now)}


def top_services(session: Session, query: Query) -> dict[str, list[dict[str, Any]]]:
    """Services by incident count and by hours in incident (started to resolved)."""
    joined = and_(Facet.incident_id == Figure.incident_id, Facet.facet == "service")
    count = func.count(distinct(Figure.incident_id))
    by_count = select(Facet.value, count.label("n")).join(Figure, joined).where(
        Figure.metric == "response_target", *_filters(query)).group_by(Facet.value) \
        .order_by(count.desc(), Facet.value).limit(TOP)
    hours = func.sum(Figure.value) / 3600.0
    by_hours = select(Facet.value, hours.label("hours")).join(Figure, joined).where(
        Figure.metric == "time_to_resolve", Figure.value.is_not(None), *_filters(query)) \
        .group_by(Facet.value).order_by(hours.desc(), Facet.value).limit(TOP)
    return {"by_count": [{"service": s, "incidents": n} for s, n in session.execute(by_count)],
            "by_hours": [{"service": s, "hours": round(float(h or 0), 3)}
                         for s, h in session.execute(by_hours)]}


def action_items(session: Session, query: Query, *, now: datetime) -> dict[str, int]:
    opened = ActionItem.status.in_(OPEN_ITEMS)
    filters = [] if query.drills else [ActionItem.is_drill.is_(False)]
    row = session.execute(select(
        func.count().filter(opened),
        func.count().filter(and_(opened, ActionItem.due_at < now))).where(*filters)).one()
    return {"open": row[0] or 0, "overdue": row[1] or 0}


BUCKETS = (60.0, 300.0, 900.0, 1800.0, 3600.0, 4 * 3600.0, 24 * 3600.0, 7 * 86400.0)
"""Upper bounds (seconds) of the /metrics histograms: a minute, five and
fifteen minutes, half an hour, an hour, four hours, a day and a week."""


def histograms(session: Session, *, buckets: tuple[float, ...] = BUCKETS) -> list[dict[str, Any]]:
    """Every duration figure of non-drill incidents counted into cumulative
    buckets per metric, severity and type, in one statement: what /metrics
    publishes as histograms, from the database so every process agrees."""
    seconds = [d.name for d in definitions.metrics()] + ["response_target"]
    counts = [func.sum(case((Figure.value <= bound, 1), else_=0)) for bound in buckets]
    statement = select(Figure.metric, Figure.severity, Figure.type, func.count(Figure.value),
                       func.sum(Figure.value), *counts).where(
        Figure.metric.in_(seconds), Figure.value.is_not(None), Figure.is_drill.is_(False)) \
        .group_by(Figure.metric, Figure.severity, Figure.type) \
        .order_by(Figure.metric, Figure.severity, Figure.type)
    return [{"metric": metric, "severity": severity, "type": kind, "count": n,
             "sum": float(total or 0.0),
             "buckets": [(bound, int(c or 0)) for bound, c in zip(buckets, cumulative,
                                                                   strict=True)]}
            for metric, severity, kind, n, total, *cumulative in session.execute(statement)]


def _targets(session: Session, query: Query) -> list[tuple[str, int, int, int]]:
    grp, join = _group(query.by)
    statement = select(grp.label("grp"), func.count(),
                       func.sum(case((Figure.met.is_(True), 1), else_=0)),
                       func.count(Figure.met)).select_from(Figure)
    if join is not None:
        statement = statement.join(Facet, join)
    statement = statement.where(Figure.metric == "response_target", *_filters(query)) \
        .group_by(grp)
    return [(str(k), n, met, judged) for k, n, met, judged in session.execute(statement)]


def _percentiles(session: Session, query: Query, wanted: list[str]) -> Any:
    grp, join = _group(query.by)
    where = [Figure.metric.in_(wanted), Figure.value.is_not(None), *_filters(query)]
    if session.get_bind().dialect.name == "postgresql":
        statement = select(grp.label("grp"), Figure.metric, func.count(Figure.value).label("n"),
                           *(func.percentile_cont(p).within_group(Figure.value).label(name)
                             for name, p in PERCENTILES),
                           func.max(Figure.value).label("max"),
                           func.avg(Figure.value).label("mean")).select_from(Figure)
        if join is not None:
            statement = statement.join(Facet, join)
        return session.execute(statement.where(*where).group_by(grp, Figure.metric))
    ranked = select(grp.label("grp"), Figure.metric, Figure.value,
                    func.row_number().over(partition_by=(grp, Figure.metric),
                                           order_by=Figure.value).label("rn"),
                    func.count().over(partition_by=(grp, Figure.metric)).label("n")) \
        .select_from(Figure)
    if join is not None:
        ranked = ranked.join(Facet, join)
    r = ranked.where(*where).subquery()
    statement = select(r.c.grp, r.c.metric, func.max(r.c.n).label("n"),
                       *(_interpolated(r, p).label(name) for name, p in PERCENTILES),
                       func.max(r.c.value).label("max"), func.avg(r.c.value).label("mean")) \
        .group_by(r.c.grp, r.c.metric)
    return session.execute(statement)


def _interpolated(ranked: Any, p: float) -> ColumnElement[Any]:
    """The p-th continuous percentile of a ranked group: position p*(n-1)
    (0-based) lies between ranks k+1 and k+2, weighted by its fraction.
    SQLite's CAST to INTEGER truncates, which is floor for these positives."""
    position = literal(p) * (ranked.c.n - 1)
    k = cast(position, Integer)
    fraction = position - k
    return func.sum(case((ranked.c.rn == k + 1, ranked.c.value * (1 - fraction)),
                         (ranked.c.rn == k + 2, ranked.c.value * fraction), else_=0.0))


def _group(by: str) -> tuple[ColumnElement[Any], ColumnElement[bool] | None]:
    if by in ("service", "team"):
        value: ColumnElement[Any] = Facet.value.expression
        return value, and_(Facet.incident_id == Figure.incident_id, Facet.facet == by)
    if by == "none":
        return literal("all"), None
    column: ColumnElement[Any] = getattr(Figure, by)
    return column, None  # severity, type or month


def _filters(query: Query) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = []
    if not query.drills:
        filters.append(Figure.is_drill.is_(False))
    if query.since is not None:
        filters.append(Figure.started_at >= query.since)
    if query.until is not None:
        filters.append(Figure.started_at < query.until)
    return filters


def _unit(metric: str) -> str:
    return "count" if metric in ("pages_before_ack", "escalation_tiers") else "seconds"


def _num(value: Any) -> float | None:
    return None if value is None else round(float(value), 3)
