"""On-call: paging joins the incident lifecycle; escalations are urgent."""

from __future__ import annotations

from warroom.domain import Domain
from warroom.oncall import api, cli, engine, metrics, models, wiring
from warroom.oncall.settings import OncallSettings

DOMAIN = Domain(
    name="oncall",
    models=models,
    router=api.router,
    commands=cli.COMMANDS,
    connect=wiring.connect,
    cycles=tuple(engine.CYCLES),
    urgent=frozenset(engine.URGENT),
    metrics=metrics.collect,
    settings=OncallSettings,
)
