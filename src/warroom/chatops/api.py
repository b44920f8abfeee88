"""Slack's HTTP mode: the ``/wr`` slash command and interactive components.

Authenticated by Slack's request signature, not by a token: the routes are
declared ``public()`` (as the alert receivers with an integration key are)
and refuse a request that does not carry a valid, recent signature with 401
(400 when it carries no Slack headers at all). The answer goes back within
Slack's 3 seconds: the service call is fast, and what else follows (the
message in the channel) is posted by the outbox.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from warroom.auth.deps import public
from warroom.chatops import service
from warroom.chatops.provider import Reply
from warroom.chatops.slack import PROVIDER
from warroom.openapi import problems

router = APIRouter(tags=["chatops"])
_FORM: dict[str, Any] = {"openapi_extra": {"requestBody": {"required": True, "content": {
    "application/x-www-form-urlencoded": {"schema": {"type": "object"}}}}},
    "responses": {200: {"description": "Slack's answer: empty, or an ephemeral message.",
                        "content": {"application/json": {"schema": {"type": "object"}}}},
                  **problems(400, 401, 413, 422)}}


@router.post("/api/v1/chatops/slack/commands", dependencies=[public()], **_FORM)
async def slack_command(request: Request) -> Response:
    """The ``/wr`` slash command (Slack's HTTP mode), signed by Slack."""
    body = await request.body()
    PROVIDER.verify(request.headers, body, request.app.state.clock.now())
    reply = await run_in_threadpool(service.command, request.app.state.database,
                                    request.app.state.clock, PROVIDER, PROVIDER.command(body))
    return _answer(reply)


@router.post("/api/v1/chatops/slack/interactions", dependencies=[public()], **_FORM)
async def slack_interaction(request: Request) -> Response:
    """Buttons on warroom's Slack messages (Acknowledge), signed by Slack."""
    body = await request.body()
    PROVIDER.verify(request.headers, body, request.app.state.clock.now())
    invocation = PROVIDER.interaction(body)
    reply = await run_in_threadpool(service.interaction, request.app.state.database,
                                    request.app.state.clock, PROVIDER, invocation)
    return _answer(reply)


def _answer(reply: Reply) -> Response:
    if reply.text is None:
        return Response(status_code=200)
    message: dict[str, Any] = {"response_type": "ephemeral" if reply.ephemeral
                               else "in_channel", "text": reply.text}
    if reply.blocks:
        message["blocks"] = reply.blocks
    return Response(orjson.dumps(message), media_type="application/json")
