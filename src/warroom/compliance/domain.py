"""Compliance: the breach register, regulatory clocks and the notices."""

from __future__ import annotations

from warroom.compliance import api, cli, engine, models, wiring
from warroom.compliance.settings import ComplianceSettings
from warroom.domain import Domain

DOMAIN = Domain(
    name="compliance",
    models=models,
    router=api.router,
    commands=cli.COMMANDS,
    connect=wiring.connect,
    cycles=tuple(engine.CYCLES),
    settings=ComplianceSettings,
)
