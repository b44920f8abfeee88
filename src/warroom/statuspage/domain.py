"""The status page, with its public routes and snapshot fast lane, and
Statuspage's manage API v1 (``manage``) mounted beside warroom's own."""

from __future__ import annotations

from fastapi import APIRouter

from warroom.domain import Domain
from warroom.statuspage import api, cli, engine, metrics, models, public, wiring
from warroom.statuspage.manage import api as manage_api
from warroom.statuspage.settings import StatuspageSettings

router = APIRouter()
router.include_router(api.router)
router.include_router(manage_api.router)

DOMAIN = Domain(
    name="statuspage",
    models=models,
    router=router,
    commands=cli.COMMANDS,
    connect=wiring.connect,
    cycles=tuple(engine.CYCLES),
    metrics=metrics.collect,
    settings=StatuspageSettings,
    mount=public.mount,
    wrap=public.wrap,
)
