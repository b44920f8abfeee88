"""A raw ASGI layer in front of everything else (FastAPI, its middlewares,
the metrics and body-limit layers) that answers the status page's public
paths from the in-memory snapshot: a dictionary lookup and two ``send``
calls, no framework, no database.

It only answers when the snapshot is up to date; otherwise (first request,
past midnight) and for every other path it hands the request on to the app,
whose ordinary routes serve the very same prepared bytes.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from warroom.statuspage.publishing.documents import PREFLIGHT, answer, shared_across_origins
from warroom.statuspage.publishing.snapshot import Snapshots

_READS = frozenset({"GET", "HEAD"})


class FastLane:
    def __init__(self, app: ASGIApp, snapshots: Snapshots) -> None:
        self.app = app
        self.snapshots = snapshots

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in _READS:
            snapshot = self.snapshots.fresh()
            document = snapshot.documents.get(scope["path"]) if snapshot else None
            if document is not None:
                status, headers, body = answer(document, scope["method"], scope["headers"])
                await send({"type": "http.response.start", "status": status,
                            "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        elif scope["type"] == "http" and scope["method"] == "OPTIONS":
            snapshot = self.snapshots.fresh()
            document = snapshot.documents.get(scope["path"]) if snapshot else None
            if document is not None and shared_across_origins(document):
                await send({"type": "http.response.start", "status": 204,
                            "headers": PREFLIGHT})
                await send({"type": "http.response.body", "body": b""})
                return
        await self.app(scope, receive, send)
