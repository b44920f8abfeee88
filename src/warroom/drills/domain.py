"""Drills: scenarios run as scored exercises on the real system."""

from __future__ import annotations

from warroom.domain import Domain
from warroom.drills import api, cli, engine, models, wiring
from warroom.drills.settings import DrillsSettings

DOMAIN = Domain(
    name="drills",
    models=models,
    router=api.router,
    commands=cli.COMMANDS,
    connect=wiring.connect,
    cycles=tuple(engine.CYCLES),
    settings=DrillsSettings,
)
