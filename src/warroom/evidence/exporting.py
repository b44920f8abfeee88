"""Hand an incident's evidence bundle to whoever asked for it, API or console.

The bundle is written to the store's scratch folder inside the unit of work
(so the ``exported`` custody events commit only with a complete file), then
streamed once as an attachment and removed: a bundle can hold gigabytes, so
it is never held in memory, and no copy outlives its download.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from fastapi.responses import StreamingResponse

from warroom.evidence import bundle, service, store
from warroom.incidents import service as incidents

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from contextlib import AbstractContextManager
    from pathlib import Path

    from warroom.db import UnitOfWork


def write(open_unit: Callable[[], AbstractContextManager[UnitOfWork]], *, ref: str,
          purpose: str, recipient: str | None) -> Path:
    """Write the bundle of incident ``ref`` to a scratch file; on any failure
    the partial file is removed and the unit of work rolls back."""
    scratch = service.root() / "tmp" / f"export-{secrets.token_hex(8)}.zip"
    scratch.parent.mkdir(parents=True, exist_ok=True)
    try:
        with scratch.open("xb") as handle, open_unit() as uow:
            incident = incidents.get_for_update(uow, ref=ref)
            bundle.export(uow, incident=incident, out=handle, purpose=purpose,
                          recipient=recipient)
    except BaseException:
        scratch.unlink(missing_ok=True)
        raise
    return scratch


def download(scratch: Path, *, ref: str) -> StreamingResponse:
    """The written bundle as a zip attachment, removed once it has been read."""
    return StreamingResponse(_read_once(scratch), media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{ref}-evidence.zip"',
        "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
        "Content-Length": str(scratch.stat().st_size)})


def _read_once(path: Path) -> Iterator[bytes]:
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(store.CHUNK):
                yield chunk
    finally:
        path.unlink(missing_ok=True)
