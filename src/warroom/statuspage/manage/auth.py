"""Who is calling, as Statuspage clients say it: ``Authorization: OAuth
<token>`` or ``?api_key=<token>``. The token is a warroom API token and the
permission table is warroom's (statuspage:read / statuspage:write)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.auth.deps import actor_for_token
from warroom.errors import Unauthorized

if TYPE_CHECKING:
    from fastapi import Request

    from warroom.db import Actor

SCHEMES = ("oauth", "bearer")


def statuspage_caller(request: Request) -> Actor:
    header = request.headers.get("authorization", "").strip()
    scheme, _, secret = header.partition(" ")
    if scheme.lower() in SCHEMES and secret.strip():
        return actor_for_token(request, secret.strip())
    key = request.query_params.get("api_key", "").strip()
    if key:
        return actor_for_token(request, key)
    raise Unauthorized("Send a warroom API token as 'Authorization: OAuth <token>' or as the "
                       "api_key query parameter.")
