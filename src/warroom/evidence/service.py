"""Register evidence, record what is done to it, and check it.

Every change to an item goes through here and leaves a custody event (see
:mod:`warroom.evidence.custody`), an audit entry and, for the events people
on the incident care about, a timeline event (``kind="evidence"``).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from warroom.auth import service as users
from warroom.errors import Conflict, Invalid, NotFound
from warroom.evidence import collect, custody, store, upload
from warroom.evidence import settings as evidence_settings
from warroom.evidence.custody import Happening
from warroom.evidence.models import EvidenceItem
from warroom.evidence.schemas import STORED_KINDS, ItemIn, ItemOut
from warroom.incidents import service as incidents
from warroom.incidents import timeline
from warroom.notify.service import notify_person

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork
    from warroom.incidents.models import Incident

AMENDABLE = ("title", "description", "source_host", "source_locator", "method_tool",
             "method_version", "collected_by", "original_filename", "media_type_declared",
             "tlp", "personal_data", "retention_until")
DOCUMENTATION_LEAD = "documentation_lead"


def root() -> Path:
    """The local folder: the store itself, or (with S3) its scratch space."""
    return evidence_settings.get().store_dir()


def content() -> store.ContentStore:
    """The store the settings name (``WARROOM_EVIDENCE_STORE``)."""
    config = evidence_settings.get()
    if config.evidence_store == "s3":
        from warroom.evidence import s3store  # boto3 is loaded only when used

        return s3store.for_settings(config)
    return store.LocalStore(config.store_dir())


def sink_for(session: Session, incident: Incident) -> store.Sink:
    """Where an upload for this incident streams to, limited by size and quota."""
    config = evidence_settings.get()
    used = session.scalar(select(func.coalesce(func.sum(EvidenceItem.size), 0)).where(
        EvidenceItem.incident_id == incident.id, EvidenceItem.status != "destroyed")) or 0
    left = config.evidence_incident_quota_bytes - used
    if left <= config.evidence_max_bytes:
        return store.Sink(content(), limit=max(left, 0), limit_reason=(
            f"{incident.ref} has {max(left, 0)} bytes of its evidence quota left "
            "(WARROOM_EVIDENCE_INCIDENT_QUOTA_BYTES); nothing was stored."))
    return store.Sink(content(), limit=config.evidence_max_bytes, limit_reason=(
        f"An item may hold at most {config.evidence_max_bytes} bytes "
        "(WARROOM_EVIDENCE_MAX_BYTES); nothing was stored."))


def register(uow: UnitOfWork, *, incident: Incident, meta: ItemIn,
             stored: store.Stored | None = None) -> EvidenceItem:
    """Record an item (with its stored content, or kept elsewhere)."""
    if stored is None and meta.kind in STORED_KINDS:
        raise Invalid(f"A {meta.kind.replace('_', ' ')} item needs its content: upload the "
                      "file (external references and physical items need none).")
    if stored is not None and meta.kind not in STORED_KINDS:
        raise Invalid(f"A {meta.kind.replace('_', ' ')} is kept elsewhere; register it "
                      "without content.")
    derived = get_or_raise(uow.session, ref=meta.derived_from).id if meta.derived_from \
        else None
    now = uow.now()
    item = EvidenceItem(
        incident_id=incident.id, kind=meta.kind, title=meta.title,
        description=meta.description, source_host=meta.source_host,
        source_locator=meta.source_locator, method_tool=meta.method_tool,
        method_version=meta.method_version, method_argv=meta.method_argv,
        collection=meta.collection, collected_by=meta.collected_by,
        collected_at=meta.collected_at.astimezone(UTC) if meta.collected_at else None,
        collected_tz=_zone(meta.collected_at), registered_by=uow.actor.label,
        registered_at=now, original_filename=meta.original_filename,
        media_type_declared=meta.media_type, tlp=meta.tlp, personal_data=meta.personal_data,
        derived_from_id=derived, produced_by_step=meta.produced_by_step,
        produced_by_event_id=meta.produced_by_event_id,
        custodian=meta.custodian or uow.actor.label,
        location=meta.location or ("evidence store" if stored else "unrecorded"),
        retention_until=meta.retention_until, status="registered", legal_hold=False,
        custody_seq=0, custody_head=custody.GENESIS)
    if stored is not None:
        item.size, item.sha256, item.sha1, item.md5 = (stored.size, stored.sha256,
                                                        stored.sha1, stored.md5)
        item.media_type_sniffed = stored.media_type
    uow.session.add(item)
    uow.session.flush()
    if meta.collected_at or meta.collected_by:
        custody.append(uow, item, Happening(
            "collected", purpose="collected for the incident",
            counterparty=meta.collected_by, location=meta.source_host,
            tz=item.collected_tz or "UTC", after={"at": _iso(meta.collected_at),
                                                  "argv": meta.method_argv}))
    custody.append(uow, item, Happening(
        "registered", purpose="registered in the evidence locker", location=item.location,
        hash_observed=item.sha256, after=_snapshot(item)))
    _timeline(uow, item, "added", f"Evidence {item.ref} added: {item.title}",
              sha256=item.sha256)
    return item


def register_content(uow: UnitOfWork, *, incident: Incident, content: bytes,
                     meta: ItemIn) -> EvidenceItem:
    """Store bytes another domain already holds (a notification exactly as it
    was sent) and register them as an item, within the incident's quota."""
    sink = sink_for(uow.session, incident)
    try:
        sink.write(content)
        stored = sink.finish(meta.declared_hashes or None)
    except BaseException:
        sink.discard()
        raise
    return register(uow, incident=incident, meta=meta, stored=stored)


def run_command(argv: list[str], *, timeout: float | None = None,
                env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a command with its standard output streamed into the store (for
    callers with no unit of work open, such as a playbook step running on the
    worker): what :func:`register_output` registers later. The per-item size
    limit applies (the incident quota does not: the output is stored
    before the incident is read)."""
    config = evidence_settings.get()
    sink = store.Sink(content(), limit=config.evidence_max_bytes, limit_reason=(
        f"The output passed {config.evidence_max_bytes} bytes (WARROOM_EVIDENCE_MAX_BYTES); "
        "nothing was stored."))
    done = collect.run(argv, sink, timeout=timeout, env=env)
    return {"stored": dataclasses.asdict(done.stored), "collection": done.record}


def register_output(uow: UnitOfWork, *, incident: Incident, ran: dict[str, Any], title: str,
                    produced_by_step: str | None = None, kind: str = "command_output"
                    ) -> EvidenceItem:
    """Register what :func:`run_command` stored, with how it was collected."""
    record = ran["collection"]
    argv = record["argv"]
    meta = ItemIn.model_validate({
        "kind": kind, "title": title[:300], "source_host": record["host"],
        "method_tool": argv[0] if argv else None, "method_argv": argv, "collection": record,
        "collected_at": record["started_at"], "collected_by": uow.actor.label,
        "original_filename": "stdout", "produced_by_step": produced_by_step})
    return register(uow, incident=incident, meta=meta, stored=store.Stored(**ran["stored"]))


def get(session: Session, *, ref: str) -> EvidenceItem | None:
    number = ref.upper().removeprefix("EV-")
    if not number.isdigit() or int(number) > 2**31 - 1:
        return None
    return session.get(EvidenceItem, int(number))


def get_or_raise(session: Session, *, ref: str) -> EvidenceItem:
    item = get(session, ref=ref)
    if item is None:
        raise NotFound(f"No evidence item {ref}.")
    return item


def get_for_update(uow: UnitOfWork, *, ref: str) -> EvidenceItem:
    item = get_or_raise(uow.session, ref=ref)
    if not uow.is_sqlite:
        uow.session.refresh(item, with_for_update=True)
    return item


def get_all(session: Session, *, incident_id: int) -> list[EvidenceItem]:
    return list(session.scalars(select(EvidenceItem).where(
        EvidenceItem.incident_id == incident_id).order_by(EvidenceItem.id)))


def open_content(uow: UnitOfWork, item: EvidenceItem, *, purpose: str,
                 action: str = "downloaded") -> Iterator[bytes]:
    """Record who reads the content and why, then hand out its bytes."""
    _need_content(item)
    kept = content()
    if not kept.exists(item.sha256 or ""):
        raise Conflict(f"{item.ref}'s content is missing from the store; run `warroom "
                       "evidence verify` and check the store before anything else.")
    custody.append(uow, item, Happening(action, purpose=_purpose(purpose),
                                        counterparty=uow.actor.label,
                                        location=uow.source_ip, hash_observed=item.sha256))
    return kept.read(item.sha256 or "")


def transfer(uow: UnitOfWork, item: EvidenceItem, *, to: str, location: str, purpose: str,
             tz: str = "UTC") -> None:
    _alive(item)
    before = {"custodian": item.custodian, "location": item.location}
    item.custodian, item.location = to, location
    custody.append(uow, item, Happening("transferred", purpose=_purpose(purpose),
                                        counterparty=to, location=location, tz=tz,
                                        before=before,
                                        after={"custodian": to, "location": location}))
    _timeline(uow, item, "transferred",
              f"Evidence {item.ref} transferred from {before['custodian']} to {to} "
              f"({location})", to=to, location=location)


def seal(uow: UnitOfWork, item: EvidenceItem, *, purpose: str) -> None:
    """Freeze the item's metadata; its content is re-hashed on a schedule."""
    if item.status != "registered":
        raise Conflict(f"{item.ref} is {item.status}; only a registered item can be sealed.")
    item.status, item.sealed_at = "sealed", uow.now()
    if item.sha256:
        item.next_rehash_at = uow.now() + _rehash_every()
    custody.append(uow, item, Happening("sealed", purpose=_purpose(purpose),
                                        hash_observed=item.sha256, after=_snapshot(item)))
    _timeline(uow, item, "sealed", f"Evidence {item.ref} sealed", sha256=item.sha256)


def amend(uow: UnitOfWork, item: EvidenceItem, *, changes: dict[str, Any],
          purpose: str) -> bool:
    """Correct metadata; after sealing the correction is only recorded (an
    ``amended`` event with before and after), the sealed fields stay.
    Answers whether the item itself changed."""
    _alive(item)
    unknown = sorted(set(changes) - set(AMENDABLE))
    if unknown:
        raise Invalid(f"{', '.join(unknown)} cannot be amended; amend one of "
                      f"{', '.join(AMENDABLE)}.")
    check = ItemIn.model_validate({"title": item.title, **{
        ("media_type" if k == "media_type_declared" else k): v for k, v in changes.items()}})
    before = {name: _plain(getattr(item, name)) for name in changes}
    applied = item.status == "registered"
    if applied:
        for name in changes:
            value = getattr(check, "media_type" if name == "media_type_declared" else name)
            setattr(item, name, value)
    custody.append(uow, item, Happening("amended", purpose=_purpose(purpose), before=before,
                                        after={**{k: _plain(v) for k, v in changes.items()},
                                               "applied": applied}))
    return applied


def hold(uow: UnitOfWork, item: EvidenceItem, *, on: bool, purpose: str) -> None:
    _alive(item)
    before = item.legal_hold
    item.legal_hold = on
    if on:
        item.destroy_requested_by = None
    custody.append(uow, item, Happening("note", purpose=_purpose(purpose),
                                        before={"legal_hold": before},
                                        after={"legal_hold": on}))


def note(uow: UnitOfWork, item: EvidenceItem, *, action: str, purpose: str,
         counterparty: str | None = None, location: str | None = None) -> None:
    """A note, a copy, a look, or the item released or returned."""
    _alive(item)
    if action in ("released", "returned"):
        before = item.status
        item.status = action
        custody.append(uow, item, Happening(action, purpose=_purpose(purpose),
                                            counterparty=counterparty, location=location,
                                            before={"status": before},
                                            after={"status": action}))
        return
    custody.append(uow, item, Happening(action, purpose=_purpose(purpose),
                                        counterparty=counterparty, location=location))


def request_destroy(uow: UnitOfWork, item: EvidenceItem, *, purpose: str) -> None:
    """The first of the two people destroying an item."""
    _alive(item)
    if item.legal_hold:
        raise Conflict(f"{item.ref} is under legal hold; lift the hold before destroying it.")
    item.destroy_requested_by = uow.actor.label
    custody.append(uow, item, Happening("note", purpose=_purpose(purpose),
                                        after={"destroy_requested_by": uow.actor.label}))


def approve_destroy(uow: UnitOfWork, item: EvidenceItem, *, purpose: str) -> None:
    """The second person: the content is removed, the record stays."""
    _alive(item)
    if item.legal_hold:
        raise Conflict(f"{item.ref} is under legal hold; lift the hold before destroying it.")
    if item.destroy_requested_by is None:
        raise Conflict(f"Nobody has asked to destroy {item.ref}; destroying needs a request "
                       "and an approval by someone else.")
    if item.destroy_requested_by == uow.actor.label:
        raise Conflict(f"{item.ref}'s destruction was requested by {uow.actor.label}; "
                       "another person must approve it.")
    requester, item.status, item.next_rehash_at = item.destroy_requested_by, "destroyed", None
    custody.append(uow, item, Happening("destroyed", purpose=_purpose(purpose),
                                        counterparty=requester, hash_observed=item.sha256,
                                        after={"requested_by": requester,
                                               "approved_by": uow.actor.label}))
    _timeline(uow, item, "destroyed", f"Evidence {item.ref} destroyed (requested by "
              f"{requester}, approved by {uow.actor.label})")
    if item.sha256 and not _shared(uow.session, item):
        sha256, kept = item.sha256, content()
        uow.after_commit(lambda: kept.remove(sha256))


def verify(uow: UnitOfWork, item: EvidenceItem, *, purpose: str = "verification"
           ) -> tuple[str | None, list[str]]:
    """Re-hash the content and check the custody chain; a mismatch is on the
    timeline and pages the incident's documentation lead (or the admins)."""
    observed = store.rehash(content(), item.sha256) if item.sha256 and \
        item.status != "destroyed" else None
    problems = custody.verify_item(uow.session, item)
    if item.sha256 and item.status != "destroyed" and observed != item.sha256:
        problems.insert(0, f"{item.ref}: the stored content is missing" if observed is None
                        else f"{item.ref}: the stored content now hashes to {observed}, "
                        f"not {item.sha256}")
    custody.append(uow, item, Happening("verified", purpose=purpose, hash_observed=observed,
                                        after={"ok": not problems}))
    if problems:
        _timeline(uow, item, "verify_failed", f"Evidence {item.ref} failed verification: "
                  f"{problems[0]}", problems=problems)
        _page(uow, item, problems)
    return observed, problems


def check_all(session: Session) -> list[str]:
    """Every item's chain and content, read-only (``warroom evidence verify``)."""
    problems: list[str] = []
    kept = content()
    for item in session.scalars(select(EvidenceItem).order_by(EvidenceItem.id)):
        problems += custody.verify_item(session, item)
        if item.sha256 and item.status != "destroyed":
            observed = store.rehash(kept, item.sha256)
            if observed != item.sha256:
                problems.append(f"{item.ref}: the stored content is missing" if observed
                                is None else f"{item.ref}: the stored content now hashes to "
                                f"{observed}, not {item.sha256}")
    return problems


def rehash_due(uow: UnitOfWork) -> datetime | None:
    """The worker's ``evidence.rehash``: sealed items whose time has come
    (claimed with SKIP LOCKED, so several workers share them)."""
    now = uow.now()
    query = (select(EvidenceItem).where(EvidenceItem.status == "sealed",
                                        EvidenceItem.next_rehash_at <= now)
             .order_by(EvidenceItem.next_rehash_at)
             .limit(evidence_settings.get().evidence_rehash_batch))
    if not uow.is_sqlite:
        query = query.with_for_update(skip_locked=True)
    for item in uow.session.scalars(query).all():
        item.next_rehash_at = now + _rehash_every()
        verify(uow, item, purpose="scheduled re-hash")
    return uow.session.scalar(select(func.min(EvidenceItem.next_rehash_at)).where(
        EvidenceItem.status == "sealed"))


def out(session: Session, item: EvidenceItem) -> ItemOut:
    incident = incidents.get(session, incident_id=item.incident_id)
    return ItemOut(
        **{name: getattr(item, name) for name in ItemOut.model_fields
           if name not in ("ref", "incident", "derived_from", "custody_events")},
        ref=item.ref, incident=incident.ref if incident else "",
        derived_from=f"EV-{item.derived_from_id}" if item.derived_from_id else None,
        custody_events=item.custody_seq)


def _page(uow: UnitOfWork, item: EvidenceItem, problems: list[str]) -> None:
    incident = incidents.get(uow.session, incident_id=item.incident_id)
    if incident is None:
        return
    assignment = next((r for r in incident.roles if r.role == DOCUMENTATION_LEAD), None)
    people = [u for u in (assignment.primary_user_id, assignment.backup_user_id)
              if u is not None] if assignment else []
    if not people:
        people = [user.id for user in users.active_admins_with_email(uow.session)]
    drill = "[DRILL] " if incident.is_drill else ""
    subject = f"{drill}Evidence {item.ref} on {incident.ref} failed verification"
    body = "\n".join([subject, "", *problems, "",
                      "Preserve the store as it is and check its custody log."])
    for user_id in people:
        notify_person(uow, user_id=user_id, kind="evidence", subject=subject, body=body,
                      incident_id=incident.id,
                      key=f"evidence:{item.id}:verify:{item.custody_seq}:{user_id}")


def _timeline(uow: UnitOfWork, item: EvidenceItem, action: str, summary: str,
              **data: Any) -> None:
    timeline.add(uow, incident_id=item.incident_id, kind="evidence", summary=summary,
                 data={"action": action, "ref": item.ref, **data})


def _shared(session: Session, item: EvidenceItem) -> bool:
    return bool(session.scalar(select(func.count()).select_from(EvidenceItem).where(
        EvidenceItem.sha256 == item.sha256, EvidenceItem.id != item.id,
        EvidenceItem.status != "destroyed")))


def _need_content(item: EvidenceItem) -> None:
    if item.status == "destroyed":
        raise Conflict(f"{item.ref} was destroyed; its content is gone.")
    if not item.sha256:
        raise Conflict(f"{item.ref} is a {item.kind.replace('_', ' ')} kept at "
                       f"{item.location}; warroom holds no content for it.")


def _alive(item: EvidenceItem) -> None:
    if item.status == "destroyed":
        raise Conflict(f"{item.ref} was destroyed.")


def _purpose(purpose: str) -> str:
    if len(purpose.strip()) < 3:
        raise Invalid("Say why (a purpose of at least 3 characters is required).")
    return purpose.strip()


def _rehash_every() -> timedelta:
    return timedelta(days=evidence_settings.get().evidence_rehash_days)


def _zone(moment: datetime | None) -> str | None:
    if moment is None or moment.tzinfo is None:
        return None if moment is None else "UTC"
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _snapshot(item: EvidenceItem) -> dict[str, Any]:
    return {name: _plain(getattr(item, name)) for name in (
        "kind", "title", "sha256", "sha1", "md5", "size", "custodian", "location", "tlp",
        "personal_data", "status")}


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


UploadReceiver = upload.Received
"""The streaming upload parser, for the console's form (imports stay on service)."""
upload_boundary = upload.boundary_of
feed_upload = upload.feed
attachment_headers = upload.attachment_headers


def custody_log(session: Session, item: EvidenceItem) -> list[Any]:
    """The item's custody events, oldest first (the console's item page)."""
    return custody.events(session, item.id)


def check_chain(session: Session, item: EvidenceItem) -> list[str]:
    """What is wrong with the item's custody chain; [] when intact."""
    return custody.verify_item(session, item)
