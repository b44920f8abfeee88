"""The list of domains and what each one plugs in.

A domain is a package under ``warroom``. By convention it may provide:
``models`` (tables), ``api`` (``router``), ``cli`` (``COMMANDS``: name ->
Typer app), ``wiring`` (``connect()`` joins incident hooks and other domains'
hook lists), ``engine`` (``CYCLES``: the worker's periodic jobs, and
``URGENT``: the ones not to keep waiting), ``metrics``
(``collect``), ``settings`` and ``public`` (``mount(app)`` for routes served
without auth, ``wrap(app, entry)`` for a raw ASGI fast lane in front of it).
The app, the CLI, the worker and the migrations all read this list, so adding
a domain never means editing them.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from datetime import datetime
from types import ModuleType
from typing import Any

DOMAINS = (
    "auth",
    "audit",
    "incidents",
    "notify",
    "intake",
    "oncall",
    "playbooks",
    "comms",
    "statuspage",
)

_connected = False


def modules(part: str) -> list[ModuleType]:
    """Each domain's ``warroom.<domain>.<part>`` module that exists, in order."""
    found = []
    for domain in DOMAINS:
        name = f"warroom.{domain}.{part}"
        if importlib.util.find_spec(f"warroom.{domain}") and importlib.util.find_spec(name):
            found.append(importlib.import_module(name))
    return found


def load_models() -> None:
    modules("models")


def routers() -> list[Any]:
    return [m.router for m in modules("api")]


def connect_all() -> None:
    """Join every domain to the incident hooks, once per process."""
    global _connected
    if not _connected:
        load_models()
        for module in modules("wiring"):
            module.connect()
        _connected = True


EngineCycle = Callable[..., datetime | None]


def engine_cycles() -> list[tuple[str, EngineCycle]]:
    cycles: list[tuple[str, EngineCycle]] = []
    for module in modules("engine"):
        cycles.extend(module.CYCLES)
    return cycles


def urgent_cycles() -> set[str]:
    """Cycles an engine marks ``URGENT``: a worker also runs them in their own loop."""
    return {name for module in modules("engine") for name in getattr(module, "URGENT", ())}
