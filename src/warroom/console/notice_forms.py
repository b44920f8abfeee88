"""The public notice forms the incident page and the status page admin
screen share: what a person types (a status, a message, a name) checked with
the same sentences, then the status page's own service calls. One place, so
a notice posted from either screen is checked and written the same way."""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.errors import Problem
from warroom.statuspage.notices import incidents as notices
from warroom.statuspage.vocabulary import IncidentStatus

if TYPE_CHECKING:
    from warroom.db import UnitOfWork
    from warroom.statuspage.models import PublicIncident

STATUSES = tuple(s.value for s in IncidentStatus)


def post_update(uow: UnitOfWork, *, notice: PublicIncident, status: str, message: str,
                wanted: dict[str, str] | None = None) -> None:
    """An update (or the resolution); an empty message takes the page's
    default words for the status."""
    if status not in STATUSES:
        raise Problem("Pick the notice's status.", status=400, title="Bad Request")
    notices.post_update(uow, incident=notice, posting=notices.posting(
        uow.session, status=status, body=message.strip() or notices.default_body(status),
        wanted=wanted or {}))


def open_notice(uow: UnitOfWork, *, name: str, message: str, status: str = "investigating",
                internal_ref: str | None = None,
                wanted: dict[str, str] | None = None) -> PublicIncident:
    """A new public notice; its words are written by a person, never copied
    from an internal incident."""
    if not name.strip():
        raise Problem("Name the public notice.", status=400, title="Bad Request")
    if not message.strip():
        raise Problem("Write what the public should read.", status=400, title="Bad Request")
    if status not in STATUSES:
        raise Problem("Pick the notice's status.", status=400, title="Bad Request")
    first = notices.posting(uow.session, status=status, body=message.strip(),
                            wanted=wanted or {})
    return notices.create(uow, name=name.strip(), internal_ref=internal_ref, source="console",
                          posting=first)
