"""Rotation arithmetic on the local wall clock.

A daily rotation that hands off at 09:00 in Europe/Berlin hands off at 09:00
on the day clocks spring forward too, so that shift lasts 23 hours (and the
autumn one 25). Shift boundaries are therefore computed as local wall times
(``start + k * shift_hours`` in the schedule's zone) and only then turned into
instants. A local time that does not exist (skipped by a spring-forward
change) is read with the offset in force before the change, and an ambiguous
one (repeated in autumn) as its first occurrence, so boundaries always move
forward.

Everything here is pure: no database, no clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Window:
    """The part of each day a layer applies: from ``start`` to ``end`` local
    time (overnight when ``end <= start``) on ``days`` (the day the window
    opens)."""

    start: time
    end: time
    days: frozenset[int]

    def covers(self, local: datetime) -> bool:
        moment = local.time()
        if self.start < self.end:
            return local.weekday() in self.days and self.start <= moment < self.end
        if moment >= self.start:
            return local.weekday() in self.days
        return moment < self.end and (local - timedelta(days=1)).weekday() in self.days


@dataclass(frozen=True)
class Rotation:
    """Participants take turns, one shift each, from ``starts_at``."""

    starts_at: datetime
    shift_hours: int
    participants: tuple[int, ...]
    zone: ZoneInfo
    ends_at: datetime | None = None
    window: Window | None = None

    def on_call(self, at: datetime) -> int | None:
        """The participant on call at ``at``, or None (no one, outside the
        layer's window, before its start or after its end)."""
        if not self.participants or at < self.starts_at:
            return None
        if self.ends_at is not None and at >= self.ends_at:
            return None
        if self.window is not None and not self.window.covers(local_wall(at, self.zone)):
            return None
        return self.participants[self.shift_index(at) % len(self.participants)]

    def shift_index(self, at: datetime) -> int:
        """k such that handoff(k) <= at < handoff(k + 1)."""
        elapsed_hours = (at - self.starts_at).total_seconds() / 3600
        index = math.floor(elapsed_hours / self.shift_hours)
        while index > 0 and self.handoff(index) > at:
            index -= 1
        while self.handoff(index + 1) <= at:
            index += 1
        return index

    def handoff(self, index: int) -> datetime:
        """The instant shift ``index`` begins."""
        local_start = local_wall(self.starts_at, self.zone)
        return instant(local_start + timedelta(hours=index * self.shift_hours), self.zone)

    def changes(self, start: datetime, end: datetime) -> list[datetime]:
        """Every instant in [start, end) where who is on call may change:
        handoffs, window edges, the layer's own start and end."""
        found = [moment for moment in (self.starts_at, self.ends_at)
                 if moment is not None and start <= moment < end]
        first = max(start, self.starts_at)
        if first < end:
            index = self.shift_index(first)
            while (moment := self.handoff(index)) < end:
                if moment >= start:
                    found.append(moment)
                index += 1
        if self.window is not None:
            found.extend(window_edges(self.window, self.zone, start, end))
        return found


def local_wall(moment: datetime, zone: ZoneInfo) -> datetime:
    """The naive local wall time of an instant."""
    return moment.astimezone(zone).replace(tzinfo=None)


def instant(local: datetime, zone: ZoneInfo) -> datetime:
    """The instant of a naive local wall time (fold 0: see the module doc)."""
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def window_edges(window: Window, zone: ZoneInfo, start: datetime, end: datetime) -> list[datetime]:
    day = local_wall(start, zone).date() - timedelta(days=1)
    last = local_wall(end, zone).date()
    edges = []
    while day <= last:
        for moment in (window.start, window.end):
            edge = instant(datetime.combine(day, moment), zone)
            if start <= edge < end:
                edges.append(edge)
        day += timedelta(days=1)
    return edges


def parse_days(text: str) -> frozenset[int]:
    """``mon,tue`` or ``mon-fri`` -> weekday numbers; empty means every day."""
    days: set[int] = set()
    for part in (p.strip().lower() for p in text.split(",") if p.strip()):
        first, _, last = part.partition("-")
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            raise ValueError(f"{part!r} is not a weekday or range; use mon..sun, e.g. mon-fri")
        low, high = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
        span = range(low, high + 1) if low <= high else [*range(low, 7), *range(0, high + 1)]
        days.update(span)
    return frozenset(days or range(7))


def parse_clock(text: str) -> time:
    """``09:00`` -> time(9, 0)."""
    try:
        hours, minutes = text.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise ValueError(f"{text!r} is not a time of day; use HH:MM, e.g. 09:00") from None
