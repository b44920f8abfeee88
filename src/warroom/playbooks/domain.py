"""Playbooks: selection, gates and steps join the incident lifecycle."""

from __future__ import annotations

from warroom.domain import Domain
from warroom.playbooks import api, cli, engine, metrics, models, wiring
from warroom.playbooks.settings import PlaybookSettings

DOMAIN = Domain(
    name="playbooks",
    models=models,
    router=api.router,
    commands=cli.COMMANDS,
    connect=wiring.connect,
    cycles=tuple(engine.CYCLES),
    metrics=metrics.collect,
    settings=PlaybookSettings,
)
