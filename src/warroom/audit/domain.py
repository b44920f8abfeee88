"""The audit chain: its routes, commands, the anchoring cycle and its settings."""

from __future__ import annotations

from warroom.audit import api, cli, engine, metrics, models
from warroom.audit.settings import AuditSettings
from warroom.domain import Domain

DOMAIN = Domain(
    name="audit",
    models=models,
    router=api.router,
    commands=cli.COMMANDS,
    metrics=metrics.collect,
    cycles=tuple(engine.CYCLES),
    settings=AuditSettings,
)
