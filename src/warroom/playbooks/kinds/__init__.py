"""The step kinds the worker executes: ``command``, ``http`` and
``prometheus_check``.

Each kind turns a step's snapshot parameters into a :class:`Prepared` action
(rendered from the incident, checked against the operator's allow-lists; the
same object a dry run shows) and executes it with no database at hand, so a
slow command never holds a transaction open.
"""

from __future__ import annotations

from typing import Any, Protocol

from warroom.playbooks.kinds.command import CommandKind
from warroom.playbooks.kinds.http import HttpKind
from warroom.playbooks.kinds.prometheus import PrometheusKind
from warroom.playbooks.kinds.types import Prepared, Result

__all__ = ["EXECUTED", "Kind", "Prepared", "Result"]


class Kind(Protocol):
    def prepare(self, params: dict[str, Any], values: dict[str, Any]) -> Prepared: ...

    def execute(self, prepared: Prepared) -> Result: ...


EXECUTED: dict[str, Kind] = {
    "command": CommandKind(),
    "http": HttpKind(),
    "prometheus_check": PrometheusKind(),
}
