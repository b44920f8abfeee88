"""Users, tokens, roles: the routes and the ``user``/``token``/``security`` commands."""

from __future__ import annotations

from warroom.auth import api, cli, models
from warroom.auth.settings import SignInSettings
from warroom.domain import Domain

DOMAIN = Domain(
    name="auth",
    models=models,
    router=api.router,
    commands=cli.COMMANDS,
    settings=SignInSettings,
)
