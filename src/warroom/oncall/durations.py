"""Durations as people write them in policies: ``15m``, ``1h``, ``2h30m``,
``90s``, or a bare number of minutes."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer

_PART = re.compile(r"(\d+)\s*([hms])")
_UNITS = {"h": 3600, "m": 60, "s": 1}


def parse(value: Any) -> int:
    """Seconds in ``value``."""
    if isinstance(value, bool):
        raise ValueError("a duration is a number of minutes or text such as 15m, 1h, 90s")
    if isinstance(value, int | float):
        return int(value * 60)
    text = str(value).strip().lower().replace(" ", "")
    if text.isdigit():
        return int(text) * 60
    parts = _PART.findall(text)
    if not parts or "".join(f"{n}{u}" for n, u in parts) != text:
        raise ValueError(f"{value!r} is not a duration; write e.g. 15m, 1h, 2h30m or 90s")
    return sum(int(number) * _UNITS[unit] for number, unit in parts)


def text(seconds: int) -> str:
    """The shortest spelling: 900 -> '15m', 3600 -> '1h', 5400 -> '1h30m'."""
    if seconds == 0:
        return "0m"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return "".join(f"{n}{u}" for n, u in ((hours, "h"), (minutes, "m"), (secs, "s")) if n)


Duration = Annotated[int, BeforeValidator(parse), PlainSerializer(text, return_type=str)]
"""A duration in seconds, read from and written as text."""
