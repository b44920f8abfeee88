"""Reviews: post-incident reviews, action items and response metrics."""

from __future__ import annotations

from warroom.domain import Domain
from warroom.reviews import api, cli, engine, metrics, models, wiring
from warroom.reviews.settings import ReviewsSettings

DOMAIN = Domain(
    name="reviews",
    models=models,
    router=api.router,
    commands=cli.COMMANDS,
    connect=wiring.connect,
    cycles=tuple(engine.CYCLES),
    metrics=metrics.collect,
    settings=ReviewsSettings,
)
