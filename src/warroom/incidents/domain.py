"""The incident core; its wiring joins the audit verifier."""

from __future__ import annotations

from warroom.domain import Domain
from warroom.incidents import api, cli, metrics, models, wiring

DOMAIN = Domain(
    name="incidents",
    models=models,
    router=api.router,
    commands=cli.COMMANDS,
    metrics=metrics.collect,
    connect=wiring.connect,
)
