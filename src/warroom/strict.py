"""Switches and times in requests are taken only as written.

pydantic's lax mode reads ``"yes"``, ``"on"``, ``1`` or ``0`` as booleans and
``0`` or ``"1700000000"`` as times; for a request that turns on maintenance
mode, pauses monitoring or says when an incident started, a guess is worse
than a refusal (``{"enabled": 0}`` would pause monitoring, ``"started_at": 0``
would date an incident to 1970). So a :data:`Switch` is JSON ``true`` or
``false``, and a :data:`Moment` is an ISO 8601 string with a time zone
(:data:`LocalMoment` may leave the zone out where the field documents which
zone it is read in, as a schedule's layers do).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, Strict

Switch = Annotated[bool, Strict()]
"""JSON ``true`` or ``false``, nothing else."""

_ISO_8601 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?"
                       r"(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?")
_EXAMPLE = "for example 2026-01-05T10:00:00Z"


def _written_time(value: object) -> object:
    """Let through a datetime (from Python callers) or an ISO 8601 string; a
    number, or a string of digits pydantic would read as a Unix time, is refused."""
    if isinstance(value, datetime) or (isinstance(value, str) and _ISO_8601.fullmatch(value)):
        return value
    raise ValueError(f"give an ISO 8601 date and time, {_EXAMPLE}")


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError(f"give a time zone, {_EXAMPLE}")
    return value


Moment = Annotated[datetime, BeforeValidator(_written_time), AfterValidator(_aware)]
"""An ISO 8601 date and time with a time zone."""
LocalMoment = Annotated[datetime, BeforeValidator(_written_time)]
"""An ISO 8601 date and time; without a zone it is read where the field says."""
