"""Silences: label matchers with a start and an end. A firing alert that a
silence matches is stored but opens nothing; when the silence ends, the engine
looks at the alerts it held again (see :mod:`warroom.intake.engine`).

Matching is done in memory against a per-process copy of the silences that
have not ended, refreshed whenever the silences generation in
``intake_state`` moves (creating or expiring a silence moves it).

A silence is the quickest way to blind warroom, so how far one reaches is
checked when it is added: one that matches every alert, holds sev1 alerts or
lasts longer than ``WARROOM_SILENCE_MAX_HOURS`` needs ``silence:broad``
(commanders and admins); responders get a 403 that says which limit it broke.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from warroom.audit import service as audit
from warroom.auth.permissions import Permission, allows
from warroom.errors import Conflict, Forbidden, Invalid, NotFound, one_of
from warroom.incidents import catalog
from warroom.intake import settings as intake_settings
from warroom.intake import switches
from warroom.intake.models import Alert, Silence
from warroom.intake.schemas import Matcher
from warroom.intake.sources.alert import SENDER_SEVERITIES

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork

STATES = ("pending", "active", "expired")
PROBE = "warroom-silence-probe-0f3c9a"
"""A label value no real alert carries: a silence that matches it matches anything."""


@dataclass(frozen=True)
class CompiledSilence:
    id: int
    starts_at: datetime
    ends_at: datetime
    tests: tuple[tuple[str, str, re.Pattern[str] | None, bool], ...]

    def active(self, now: datetime) -> bool:
        return self.starts_at <= now < self.ends_at

    def matches(self, labels: dict[str, str]) -> bool:
        for name, value, pattern, is_equal in self.tests:
            actual = labels.get(name, "")
            hit = pattern.fullmatch(actual) is not None if pattern else actual == value
            if hit != is_equal:
                return False
        return True


@dataclass(frozen=True)
class SilenceSet:
    silences: tuple[CompiledSilence, ...]
    generation: int

    def matching(self, labels: dict[str, str], now: datetime) -> CompiledSilence | None:
        for silence in self.silences:
            if silence.active(now) and silence.matches(labels):
                return silence
        return None


_lock = threading.Lock()
_cache: tuple[object, SilenceSet] | None = None


def current(session: Session, *, generation: int, now: datetime) -> SilenceSet:
    """The silences that have not ended, as of the given generation."""
    global _cache
    place = switches.database_key(session)
    cached = _cache
    if cached is not None and cached[0] == place and cached[1].generation == generation:
        return cached[1]
    rows = session.scalars(select(Silence).where(Silence.ends_at > now))
    loaded = SilenceSet(tuple(compile_silence(row) for row in rows), generation)
    with _lock:
        _cache = (place, loaded)
    return loaded


def compile_silence(row: Silence) -> CompiledSilence:
    tests = []
    for raw in row.matchers:
        matcher = Matcher.model_validate(raw)
        pattern = re.compile(matcher.value) if matcher.is_regex else None
        tests.append((matcher.name, matcher.value, pattern, matcher.is_equal))
    return CompiledSilence(row.id, row.starts_at, row.ends_at, tuple(tests))


def get(session: Session, *, silence_id: int) -> Silence | None:
    return session.get(Silence, silence_id)


def get_all(session: Session, *, state: str | None, now: datetime, limit: int = 100,
            offset: int = 0) -> list[Silence]:
    query = select(Silence)
    if state == "pending":
        query = query.where(Silence.starts_at > now)
    elif state == "active":
        query = query.where(Silence.starts_at <= now, Silence.ends_at > now)
    elif state == "expired":
        query = query.where(Silence.ends_at <= now)
    elif state is not None:
        raise Invalid(one_of(state, STATES, "silence state"))
    return list(session.scalars(query.order_by(Silence.id.desc()).limit(limit).offset(offset)))


def state_of(silence: Silence, now: datetime) -> str:
    if silence.ends_at <= now:
        return "expired"
    return "pending" if silence.starts_at > now else "active"


def create(uow: UnitOfWork, *, matchers: list[Matcher], comment: str,
           starts_at: datetime | None = None, ends_at: datetime | None = None,
           duration: timedelta | None = None) -> Silence:
    now = uow.now()
    starts_at = starts_at or now
    if ends_at is None and duration is not None:
        ends_at = starts_at + duration
    elif ends_at is None or duration is not None:
        raise Invalid("Give either ends_at or duration_minutes (how long the silence lasts).")
    if ends_at <= starts_at:
        raise Invalid("ends_at must be later than starts_at.")
    if ends_at <= now:
        raise Invalid("This silence would already be over; ends_at must be in the future.")
    for matcher in matchers:
        if matcher.is_regex:
            _check_regex(matcher)
    if not comment.strip():
        raise Invalid("Say why alerts are being silenced (comment).")
    check_reach(uow, matchers=matchers, starts_at=starts_at, ends_at=ends_at)
    silence = Silence(matchers=[m.model_dump() for m in matchers], starts_at=starts_at,
                      ends_at=ends_at, created_by=uow.actor.label, comment=comment.strip(),
                      created_at=now)
    uow.session.add(silence)
    uow.session.flush()
    switches.bump_silences(uow)
    audit.record(uow, action="silence.create", target=f"silence:{silence.id}",
                 after={"matchers": silence.matchers, "starts_at": starts_at,
                        "ends_at": ends_at, "comment": silence.comment})
    return silence


def check_reach(uow: UnitOfWork, *, matchers: list[Matcher], starts_at: datetime,
                ends_at: datetime) -> None:
    """Refuse a silence wider than the caller's role may add (see the module)."""
    if uow.actor.role is not None and allows(uow.actor.role, Permission.silence_broad):
        return
    compiled = CompiledSilence(0, starts_at, ends_at, _tests(matchers))
    limit = intake_settings.get().silence_max_hours
    if ends_at - starts_at > timedelta(hours=limit):
        _too_broad(f"it lasts longer than {limit:g} h (WARROOM_SILENCE_MAX_HOURS)")
    if _matches_anything(compiled, matchers):
        _too_broad("it would match every alert; add a matcher that names what to silence")
    if _names_sev1(compiled, matchers) or _holds_firing_sev1(uow.session, compiled):
        _too_broad(f"it would hold {_sev1().id} alerts")


def _too_broad(why: str) -> None:
    raise Forbidden(f"Only a commander may add this silence: {why}. It needs the "
                    "'silence:broad' permission, which commander and above have.")


def _tests(matchers: list[Matcher]) -> tuple[tuple[str, str, re.Pattern[str] | None, bool], ...]:
    return tuple((m.name, m.value, re.compile(m.value) if m.is_regex else None, m.is_equal)
                 for m in matchers)


def _matches_anything(silence: CompiledSilence, matchers: list[Matcher]) -> bool:
    """True when the silence matches an alert it knows nothing about: one
    without its labels, or one whose labels carry a value nobody chose."""
    names = {m.name for m in matchers}
    return silence.matches({}) or silence.matches({name: PROBE for name in names})


def _sev1() -> catalog.Severity:
    return min(catalog.severities(), key=lambda level: level.rank)


def _names_sev1(silence: CompiledSilence, matchers: list[Matcher]) -> bool:
    """True when the silence's ``severity`` matchers let a sev1 word through."""
    wanted = [t for t in silence.tests if t[0] == "severity"]
    if not wanted:
        return False
    top = _sev1()
    words = {top.id, top.name.lower(), *(str(a).lower() for a in top.aliases),
             *(word for word, level in SENDER_SEVERITIES.items() if level == top.id)}
    probe = CompiledSilence(0, silence.starts_at, silence.ends_at, tuple(wanted))
    return any(probe.matches({"severity": word}) for word in words)


def _holds_firing_sev1(session: Session, silence: CompiledSilence) -> bool:
    rows = session.scalars(select(Alert.labels).where(Alert.status == "firing",
                                                      Alert.severity == _sev1().id))
    return any(silence.matches(labels or {}) for labels in rows)


def expire(uow: UnitOfWork, *, silence_id: int) -> Silence:
    """End a silence now (it stays on record)."""
    silence = uow.session.get(Silence, silence_id)
    if silence is None:
        raise NotFound(f"There is no silence {silence_id}.")
    now = uow.now()
    if silence.ends_at <= now:
        raise Conflict(f"Silence {silence_id} already ended at {silence.ends_at:%Y-%m-%d %H:%M} "
                       "UTC.")
    before = {"ends_at": silence.ends_at}
    silence.starts_at = min(silence.starts_at, now)
    silence.ends_at = now
    silence.expired_at = now
    uow.session.flush()
    switches.bump_silences(uow)
    audit.record(uow, action="silence.expire", target=f"silence:{silence.id}", before=before,
                 after={"ends_at": silence.ends_at, "expired_at": now})
    return silence


def ended_unlifted(session: Session, *, now: datetime) -> list[Silence]:
    """Silences that are over but whose held alerts were not looked at again."""
    return list(session.scalars(select(Silence).where(Silence.ends_at <= now,
                                                      Silence.lifted_at.is_(None))))


def next_end(session: Session) -> datetime | None:
    return session.scalar(select(Silence.ends_at).where(Silence.lifted_at.is_(None))
                          .order_by(Silence.ends_at).limit(1))


def _check_regex(matcher: Matcher) -> None:
    try:
        re.compile(matcher.value)
    except re.error as bad:
        raise Invalid(f"matchers: {matcher.value!r} is not a valid regular expression "
                      f"({bad}).") from None
