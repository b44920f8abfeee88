"""What a domain plugs into warroom, as one typed object.

Each domain package declares one :class:`Domain` in its ``domain.py``, and
:mod:`warroom.registry` lists them in order. The app, the CLI, the worker, the
metrics and the migrations read that list and nothing else, so a new domain
is one object and one line in the registry, and the seam is in plain sight
(no discovery by module name).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from types import ModuleType

    import typer
    from fastapi import APIRouter, FastAPI
    from prometheus_client.core import Metric
    from sqlalchemy.orm import Session
    from starlette.types import ASGIApp

    from warroom.config import WarroomSettings

EngineCycle = Callable[..., datetime | None]
"""A worker cycle: runs due work, answers when it is next due (or None)."""


@dataclass(frozen=True)
class Domain:
    """One domain's parts; every part but the name is optional.

    ``connect`` joins the domain's listeners to other domains' hooks (run once
    per process, in registry order, which is the order listeners fire).
    ``urgent`` names cycles a worker also runs in a loop of their own.
    ``mount`` adds routes served without auth; ``wrap`` puts a raw ASGI fast
    lane in front of the served app.
    """

    name: str
    models: ModuleType | None = None
    router: APIRouter | None = None
    commands: Mapping[str, typer.Typer] = field(default_factory=dict)
    connect: Callable[[], None] | None = None
    cycles: tuple[tuple[str, EngineCycle], ...] = ()
    urgent: frozenset[str] = frozenset()
    metrics: Callable[[Session], Iterable[Metric]] | None = None
    settings: type[WarroomSettings] | None = None
    mount: Callable[[FastAPI], None] | None = None
    wrap: Callable[[FastAPI, ASGIApp], ASGIApp] | None = None
