"""Refuse request bodies over the documented size with 413 before reading them.

A route that streams its body to disk (an evidence upload of a memory image)
sets its own limits: it names its path here with :func:`streams_own_body`,
and neither the body limit nor the serving protocol's whole-body deadline
applies to it (the protocol's deadline then restarts with each chunk, so an
upload that stalls is still cut off).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import orjson

from warroom.http import PROBLEM_JSON
from warroom.lane import BODYLESS, BodyLimit

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send


_STREAMED: list[re.Pattern[str]] = []


def streams_own_body(path_pattern: str) -> None:
    """Paths (a regular expression) whose routes stream and limit their bodies."""
    pattern = re.compile(path_pattern)
    if pattern not in _STREAMED:
        _STREAMED.append(pattern)


def is_streamed(path: str) -> bool:
    return any(pattern.fullmatch(path) for pattern in _STREAMED)


class BodyLimitMiddleware:
    """The app's door for the lane kernel's :class:`~warroom.lane.BodyLimit`:
    the same limit and the same 413 as the fast lanes, for a body the app
    streams to its routes."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.limit = BodyLimit(max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in BODYLESS or \
                is_streamed(scope["path"]):
            await self.app(scope, receive, send)
            return
        if self.limit.declared_over(scope):
            await self._refuse(scope, send)
            return
        received = 0
        refused = False

        async def limited_receive() -> Message:
            # Over the limit: answer 413 now and tell the app the client left,
            # whatever the app does with that (frameworks differ) is discarded.
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit.max_bytes:
                    refused = True
                    await self._refuse(scope, send)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:
                await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not refused:
                raise

    async def _refuse(self, scope: Scope, send: Send) -> None:
        body = orjson.dumps(self.limit.problem().body(scope["path"]))
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", PROBLEM_JSON.encode()),
                                (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})
