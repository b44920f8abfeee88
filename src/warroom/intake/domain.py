"""Alert intake, with the receivers' raw ASGI fast lane."""

from __future__ import annotations

from warroom.domain import Domain
from warroom.intake import api, cli, engine, metrics, models, public, wiring
from warroom.intake.settings import IntakeSettings

DOMAIN = Domain(
    name="intake",
    models=models,
    router=api.router,
    commands=cli.COMMANDS,
    connect=wiring.connect,
    cycles=tuple(engine.CYCLES),
    metrics=metrics.collect,
    settings=IntakeSettings,
    mount=public.mount,
    wrap=public.wrap,
)
