"""Response figures across incidents, aggregated in SQL.

Percentiles are continuous (linear interpolation between the two nearest
ranks, what PostgreSQL's ``percentile_cont`` computes). PostgreSQL runs
``percentile_cont``. SQLite has no ordered-set aggregates; grouped by a
column of the figures (severity, type, month or none) it counts each group in
one statement, then reads the (at most two) values around each percentile's
position with ``ORDER BY value LIMIT 2 OFFSET k`` over a covering index that
holds each metric's values in order per group: an index seek that steps over
at most half the group (p90 is read from the top), never a sort of all the
figures, which a window function needs and which made the endpoint take
seconds at 100,000 incidents. Grouped by service or team (a join with the
facets) it ranks each value with ``row_number()`` and ``count()`` windows and
sums the rows around the position: the same number, in one statement. A mean
is only ever returned beside ``n`` and ``p50`` (a bare mean hides the long tail).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Integer,
    and_,
    bindparam,
    case,
    cast,
    distinct,
    func,
    literal,
    select,
)

from warroom.errors import Invalid, one_of
from warroom.reviews import definitions
from warroom.reviews.models import ActionItem, Facet, Figure

if TYPE_CHECKING:
    from collections.abc import Callable

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
    """Services by incident count and by hours in incident (started to resolved),
    from the facets' copies of each incident's figures (one covering index)."""
    service = Facet.facet == "service"
    count = func.count(distinct(Facet.incident_id))
    by_count = select(Facet.value, count.label("n")).where(service, *_facet_filters(query)) \
        .group_by(Facet.value).order_by(count.desc(), Facet.value).limit(TOP)
    hours = func.sum(Facet.resolve_seconds) / 3600.0
    by_hours = select(Facet.value, hours.label("hours")).where(
        service, Facet.resolve_seconds.is_not(None), *_facet_filters(query)) \
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
    if join is None:
        return _by_offset(session, grp, where)
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


def _by_offset(session: Session, grp: ColumnElement[Any],
               where: list[ColumnElement[bool]]) -> list[SimpleNamespace]:
    """Counts per group, then each percentile's neighbouring values read in
    order from the covering index (see the module's docstring). The reads are
    one small statement, compiled once and run per group and percentile: a
    UNION of hundreds of them cost more to build than to run."""
    counted = session.execute(select(
        grp.label("grp"), Figure.metric, func.count(Figure.value).label("n"),
        func.max(Figure.value).label("max"), func.avg(Figure.value).label("mean"))
        .where(*where).group_by(Figure.metric, grp)).all()
    in_group = [*where[1:], Figure.metric == bindparam("metric"), grp == bindparam("grp")]
    # where[0] is ``metric IN (wanted)``: a read names its one metric instead
    reads = {ascending: select(Figure.value).where(*in_group)
             .order_by(Figure.value if ascending else Figure.value.desc())
             .limit(bindparam("need", type_=Integer)).offset(bindparam("skip", type_=Integer))
             for ascending in (True, False)}
    run = {ascending: _runner(session, read) for ascending, read in reads.items()}
    rows = []
    for row in counted:
        shown = SimpleNamespace(grp=row.grp, metric=row.metric, n=row.n, max=row.max,
                                mean=row.mean)
        for name, p in PERCENTILES:
            position = p * (row.n - 1)
            low = int(position)
            high = min(low + 1, row.n - 1)
            ascending = low <= row.n - 1 - high  # step over the smaller part of the group
            found = run[ascending]({
                "metric": row.metric, "grp": row.grp, "need": 1 if high == low else 2,
                "skip": low if ascending else row.n - 1 - high})
            setattr(shown, name, min(found) + (max(found) - min(found)) * (position - low)
                    if found else None)
        rows.append(shown)
    return rows


def _runner(session: Session, statement: Any) -> Callable[[dict[str, Any]], list[float]]:
    """``statement`` compiled once and run on the driver's cursor, its
    parameters converted by SQLAlchemy's own processors (as bulk.py does):
    run hundreds of times, the ORM's per-execution bookkeeping cost ten times
    what SQLite spent answering."""
    connection = session.connection()
    dialect = connection.dialect
    compiled = statement.compile(dialect=dialect)
    names = list(compiled.positiontup or [])
    converters = [compiled.binds[n].type._cached_bind_processor(dialect) for n in names]
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    sql = str(compiled)

    def run(values: dict[str, Any]) -> list[float]:
        given = compiled.construct_params(values)
        parameters = [given[n] if c is None else c(given[n]) for n, c in zip(names, converters,
                                                                             strict=True)]
        return [v for (v,) in cursor.execute(sql, parameters).fetchall() if v is not None]

    return run


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


def _facet_filters(query: Query) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = []
    if not query.drills:
        filters.append(Facet.is_drill.is_(False))
    if query.since is not None:
        filters.append(Facet.started_at >= query.since)
    if query.until is not None:
        filters.append(Facet.started_at < query.until)
    return filters


def _unit(metric: str) -> str:
    return "count" if metric in ("pages_before_ack", "escalation_tiers") else "seconds"


def _num(value: Any) -> float | None:
    return None if value is None else round(float(value), 3)
