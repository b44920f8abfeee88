"""Refuse request bodies over the documented size with 413 before reading them
(except on routes that stream and limit their own, see :mod:`warroom.streamed`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import orjson

from warroom.http import PROBLEM_JSON
from warroom.lane import BODYLESS, BodyLimit
from warroom.streamed import is_streamed

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Message, Receive, Scope, Send


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
