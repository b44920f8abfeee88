"""The one source of "now".

Escalations, maintenance windows and response-time targets all depend on the
time, so no module calls ``datetime.now`` itself: it asks the clock. Tests swap
in a :class:`FrozenClock` and move it; end-to-end tests that drive a separate
process point ``WARROOM_FAKE_TIME_FILE`` at a file and move that.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """Wall-clock time in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = (start or datetime(2026, 1, 5, 12, 0, tzinfo=UTC)).astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        with self._lock:
            self._now += delta if delta is not None else timedelta(**kwargs)
            return self._now

    def set(self, moment: datetime) -> None:
        with self._lock:
            self._now = moment.astimezone(UTC)


class FileClock:
    """Reads "now" from a file holding an ISO timestamp, so a test can move the
    clock of a server or worker running in another process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._cached: tuple[float, datetime] | None = None

    def now(self) -> datetime:
        mtime = os.stat(self.path).st_mtime_ns
        if self._cached is None or self._cached[0] != mtime:
            moment = datetime.fromisoformat(self.path.read_text().strip())
            self._cached = (mtime, moment.astimezone(UTC))
        return self._cached[1]

    @staticmethod
    def write(path: Path, moment: datetime) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(moment.astimezone(UTC).isoformat())
        os.replace(tmp, path)


_current: Clock = SystemClock()


def now() -> datetime:
    return _current.now()


def current() -> Clock:
    return _current


def install(clock: Clock) -> None:
    """Make ``clock`` the process-wide source of time."""
    global _current
    _current = clock


@contextmanager
def using(clock: Clock) -> Iterator[Clock]:
    previous = _current
    install(clock)
    try:
        yield clock
    finally:
        install(previous)


def from_settings(fake_time_file: Path | None) -> Clock:
    return FileClock(fake_time_file) if fake_time_file else SystemClock()
