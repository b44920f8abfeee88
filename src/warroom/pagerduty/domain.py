"""The PagerDuty REST API v2 drop-in: routes, a table, a command, settings."""

from __future__ import annotations

from warroom.domain import Domain
from warroom.pagerduty import api, cli, models
from warroom.pagerduty.settings import PagerDutySettings

DOMAIN = Domain(
    name="pagerduty",
    models=models,
    router=api.router,
    commands=cli.COMMANDS,
    settings=PagerDutySettings,
)
