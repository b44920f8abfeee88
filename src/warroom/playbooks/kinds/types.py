"""What a kind prepares and what its execution returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Prepared:
    """Exactly what will run. ``spec`` is shown by a dry run and kept with the
    result; ``secrets`` (an API token header) are added only when executing."""

    kind: str
    spec: dict[str, Any]
    timeout: float
    blocked: str | None = None
    """Why the worker will not run it now (not allow-listed, ...)."""
    secrets: dict[str, str] = field(default_factory=dict)
    own_api: bool = False
    """A call to this warroom at its configured address, which the outbound
    destination policy does not govern (the operator chose that address)."""


@dataclass(frozen=True)
class Result:
    ok: bool
    summary: str
    """One line for the timeline."""
    output: str | None = None
    outcome: dict[str, Any] = field(default_factory=dict)


def clip(text: str, limit: int) -> str:
    """Keep the first ``limit`` bytes of output (whole characters)."""
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[:limit].decode(errors="ignore") + f"\n[... {len(data) - limit} more bytes]"
