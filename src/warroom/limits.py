"""Refuse request bodies over the documented size with 413 before reading them."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from warroom.http import PROBLEM_JSON, problem_body


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        if _declared_length(scope) > self.max_bytes:
            await self._refuse(send)
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
                if received > self.max_bytes:
                    refused = True
                    await self._refuse(send)
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

    async def _refuse(self, send: Send) -> None:
        body = problem_body(413, "Request body too large",
                            f"Request bodies are limited to {self.max_bytes} bytes "
                            "(WARROOM_MAX_BODY_BYTES).")
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", PROBLEM_JSON.encode()),
                                (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


def _declared_length(scope: Scope) -> int:
    """The largest Content-Length the request declares (0 when it declares
    none, or none that is a number): a body over the limit is refused before
    a byte of it is read."""
    declared = 0
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                declared = max(declared, int(value))
            except ValueError:
                continue
    return declared
