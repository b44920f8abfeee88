"""The evidence locker: items, content, chain of custody."""

from __future__ import annotations

from warroom.domain import Domain
from warroom.evidence import api, cli, engine, models, wiring
from warroom.evidence.settings import EvidenceSettings

DOMAIN = Domain(
    name="evidence",
    models=models,
    router=api.router,
    commands=cli.COMMANDS,
    connect=wiring.connect,
    cycles=tuple(engine.CYCLES),
    settings=EvidenceSettings,
)
