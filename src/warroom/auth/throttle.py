"""Failed sign-ins, rate-limited per username and per address.

Failures are rows with a time, so the limit holds across every API process
and lifts when the clock moves past the window (tests move a FrozenClock; no
timers). A successful sign-in does not wipe the address's failures: a
password-spraying address that guesses one account right stays slowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select

from warroom.auth import settings as signin_settings
from warroom.auth.models import SignInFailure

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork


@dataclass(frozen=True)
class Pause:
    """Sign-in is paused for this username or address until ``until``."""

    scope: str  # "user" | "address"
    until: datetime

    @property
    def sentence(self) -> str:
        who = "this account" if self.scope == "user" else "your address"
        return (f"Too many failed sign-ins for {who}. Try again after "
                f"{self.until:%H:%M} UTC, or ask an admin to set a new password.")


def pause(session: Session, *, username: str, address: str | None,
          now: datetime) -> Pause | None:
    """Whether a sign-in attempt must be refused before even checking the password."""
    knobs = signin_settings.get()
    window = timedelta(minutes=knobs.signin_failure_window_minutes)
    since = now - window
    checks: list[tuple[str, object, int]] = [
        ("user", SignInFailure.username == _name(username), knobs.signin_max_failures_per_user)]
    if address:
        checks.append(("address", SignInFailure.address == address[:64],
                       knobs.signin_max_failures_per_address))
    for scope, condition, limit in checks:
        count, oldest = session.execute(
            select(func.count(SignInFailure.id), func.min(SignInFailure.at))
            .where(condition, SignInFailure.at > since)).one()  # type: ignore[arg-type]
        if count >= limit:
            # the pause lifts when enough failures leave the window
            times = list(session.scalars(
                select(SignInFailure.at).where(condition, SignInFailure.at > since)  # type: ignore[arg-type]
                .order_by(SignInFailure.at.desc()).limit(limit)))
            return Pause(scope=scope, until=(times[-1] if times else oldest) + window)
    return None


def record_failure(uow: UnitOfWork, *, username: str, address: str | None) -> None:
    knobs = signin_settings.get()
    now = uow.now()
    uow.session.execute(delete(SignInFailure).where(
        SignInFailure.at <= now - timedelta(minutes=knobs.signin_failure_window_minutes)))
    uow.session.add(SignInFailure(username=_name(username), address=(address or None)
                                  and address[:64], at=now))


def clear_user(uow: UnitOfWork, *, username: str) -> None:
    """Forget a username's failures once its owner got in (or got a new password)."""
    uow.session.execute(delete(SignInFailure).where(SignInFailure.username == _name(username)))


def _name(username: str) -> str:
    return username.strip().lower()[:64]
