"""Uptime history per component and day, from the recorded status changes.

A day's uptime counts time in ``major_outage`` as down and time in
``partial_outage`` as 30% down (part of the service still worked); degraded
performance and maintenance count as up. Time before a component existed is
"no data", not "up".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from warroom.statuspage.models import StatusChange
from warroom.statuspage.vocabulary import ComponentStatus, rank

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

DAYS = 90
DOWN_WEIGHT = {ComponentStatus.major_outage.value: 1.0,
               ComponentStatus.partial_outage.value: 0.3}


@dataclass
class Day:
    day: date
    seconds: dict[str, float] = field(default_factory=dict)
    """Seconds spent in each status that day (only while observed)."""

    @property
    def observed(self) -> float:
        return sum(self.seconds.values())

    @property
    def down(self) -> float:
        return sum(DOWN_WEIGHT.get(s, 0.0) * t for s, t in self.seconds.items())

    @property
    def uptime(self) -> float | None:
        return None if not self.observed else 1.0 - self.down / self.observed

    @property
    def worst(self) -> str | None:
        seen = [s for s, t in self.seconds.items() if t > 0]
        return max(seen, key=rank) if seen else None

    def minutes_in(self, status: str) -> int:
        return round(self.seconds.get(status, 0.0) / 60)


def days_by_component(session: Session, component_ids: list[int], *, now: datetime,
                      days: int = DAYS) -> dict[int, list[Day]]:
    """For each component, its last ``days`` days (oldest first, today last)."""
    start = datetime.combine(now.date() - timedelta(days=days - 1), time.min, tzinfo=UTC)
    timelines = _timelines(session, component_ids, start=start, now=now)
    result = {}
    for component_id in component_ids:
        buckets = [Day(start.date() + timedelta(days=i)) for i in range(days)]
        _spread(timelines.get(component_id, []), buckets, start=start, end=now)
        result[component_id] = buckets
    return result


def overall_uptime(days: list[Day]) -> float | None:
    observed = sum(d.observed for d in days)
    return None if not observed else 1.0 - sum(d.down for d in days) / observed


def _timelines(session: Session, component_ids: list[int], *, start: datetime,
               now: datetime) -> dict[int, list[tuple[datetime, str]]]:
    """Per component: ``(since, status)`` pairs covering ``[start, now]``,
    beginning with the status it had at ``start`` (if it existed then)."""
    found: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    if not component_ids:
        return found
    last_before = (select(func.max(StatusChange.id))
                   .where(StatusChange.component_id.in_(component_ids), StatusChange.at < start)
                   .group_by(StatusChange.component_id))
    for component_id, status in session.execute(
            select(StatusChange.component_id, StatusChange.new_status)
            .where(StatusChange.id.in_(last_before))):
        found[component_id].append((start, status))
    for component_id, at, status in session.execute(
            select(StatusChange.component_id, StatusChange.at, StatusChange.new_status)
            .where(StatusChange.component_id.in_(component_ids), StatusChange.at >= start,
                   StatusChange.at <= now)
            .order_by(StatusChange.component_id, StatusChange.at, StatusChange.id)):
        found[component_id].append((at, status))
    return found


def _spread(timeline: list[tuple[datetime, str]], buckets: list[Day], *, start: datetime,
            end: datetime) -> None:
    """Add each stretch of time to the days it covers."""
    for index, (since, status) in enumerate(timeline):
        until = timeline[index + 1][0] if index + 1 < len(timeline) else end
        moment = max(since, start)
        while moment < until:
            day_index = (moment.date() - start.date()).days
            next_midnight = datetime.combine(moment.date() + timedelta(days=1), time.min,
                                             tzinfo=UTC)
            stretch_end = min(until, next_midnight)
            bucket = buckets[day_index].seconds
            bucket[status] = bucket.get(status, 0.0) + (stretch_end - moment).total_seconds()
            moment = stretch_end
