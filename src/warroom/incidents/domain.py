"""The incident core; its wiring joins the audit verifier."""

from __future__ import annotations

from warroom.domain import Domain
from warroom.incidents import api, cli, models, wiring

DOMAIN = Domain(
    name="incidents",
    models=models,
    router=api.router,
    commands=cli.COMMANDS,
    connect=wiring.connect,
)
