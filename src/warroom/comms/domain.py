"""Communications: the update cadence follows the incident lifecycle."""

from __future__ import annotations

from warroom.comms import api, cli, engine, metrics, models, wiring
from warroom.comms.settings import CommsSettings
from warroom.domain import Domain

DOMAIN = Domain(
    name="comms",
    models=models,
    router=api.router,
    commands=cli.COMMANDS,
    connect=wiring.connect,
    cycles=tuple(engine.CYCLES),
    metrics=metrics.collect,
    settings=CommsSettings,
)
