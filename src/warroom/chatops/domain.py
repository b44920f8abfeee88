"""ChatOps: the ``/wr`` command family and incident messages in Slack."""

from __future__ import annotations

from warroom.chatops import api, cli, engine, models, wiring
from warroom.chatops.settings import ChatOpsSettings
from warroom.domain import Domain

DOMAIN = Domain(
    name="chatops",
    models=models,
    router=api.router,
    commands=cli.COMMANDS,
    connect=wiring.connect,
    cycles=tuple(engine.CYCLES),
    settings=ChatOpsSettings,
)
