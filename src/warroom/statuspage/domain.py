"""The status page, with its public routes and snapshot fast lane."""

from __future__ import annotations

from warroom.domain import Domain
from warroom.statuspage import api, cli, engine, metrics, models, public, wiring
from warroom.statuspage.settings import StatuspageSettings

DOMAIN = Domain(
    name="statuspage",
    models=models,
    router=api.router,
    commands=cli.COMMANDS,
    connect=wiring.connect,
    cycles=tuple(engine.CYCLES),
    metrics=metrics.collect,
    settings=StatuspageSettings,
    mount=public.mount,
    wrap=public.wrap,
)
