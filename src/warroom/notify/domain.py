"""The outbox; its wiring alerts admins of dead letters."""

from __future__ import annotations

from warroom.domain import Domain
from warroom.notify import api, cli, metrics, models, wiring

DOMAIN = Domain(
    name="notify",
    models=models,
    router=api.router,
    commands=cli.COMMANDS,
    metrics=metrics.collect,
    connect=wiring.connect,
)
