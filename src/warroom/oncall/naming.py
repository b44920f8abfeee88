"""Names of on-call things (schedules, teams, policies, positions)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from warroom.auth import service as users
from warroom.errors import Invalid

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy.orm import Session

NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


def checked_name(value: str, what: str) -> str:
    """A lowercase name: 1-64 letters, digits, '.', '_' or '-'."""
    name = str(value).strip().lower()
    if not NAME.match(name):
        raise Invalid(f"{value!r} is not a valid {what} name: use 1-64 lowercase letters, "
                      "digits, '.', '_' or '-', starting with a letter or digit.")
    return name


def usernames(session: Session, ids: Iterable[int] | None = None) -> dict[int, str]:
    """User id -> username, for every user or only ``ids``."""
    return users.usernames(session, ids=ids)
