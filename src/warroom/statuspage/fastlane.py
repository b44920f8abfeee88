"""A raw ASGI layer in front of everything else (FastAPI, its middlewares,
the metrics and body-limit layers) that answers the status page's public
paths from the in-memory snapshot: a dictionary lookup and two ``send``
calls, no framework, no database.

It is the lane kernel's prepared lane (:class:`warroom.lane.Lane`): it finds
the prepared bytes, the kernel sends them. It only answers when the snapshot
is up to date; otherwise (first request, past midnight) and for every other
path it hands the request on to the app, whose ordinary routes serve the
very same prepared bytes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.lane import Lane, Prepared
from warroom.statuspage.publishing.documents import PREFLIGHT, answer, shared_across_origins

if TYPE_CHECKING:
    from starlette.types import ASGIApp, Scope

    from warroom.statuspage.publishing.snapshot import Snapshots

_READS = frozenset({"GET", "HEAD"})
_PREFLIGHT_ANSWER: Prepared = (204, PREFLIGHT, b"")


class FastLane(Lane):
    def __init__(self, app: ASGIApp, snapshots: Snapshots) -> None:
        super().__init__(app)
        self.snapshots = snapshots

    def prepared(self, scope: Scope) -> Prepared | None:
        method = scope["method"]
        if method in _READS:
            snapshot = self.snapshots.fresh()
            document = snapshot.documents.get(scope["path"]) if snapshot else None
            return None if document is None else answer(document, method, scope["headers"])
        if method == "OPTIONS":
            snapshot = self.snapshots.fresh()
            document = snapshot.documents.get(scope["path"]) if snapshot else None
            if document is not None and shared_across_origins(document):
                return _PREFLIGHT_ANSWER
        return None
