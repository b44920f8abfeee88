"""Action items: what an incident's responders promised to change.

An item has an owner, a priority, a due date, a status (open, in_progress,
done, wont_do), optionally an external tracker URL (checked for shape, never
fetched) and a playbook file it should change (seed 002 "Procedure Updates").
Done needs a note of what was done, won't-do a reason. Owners are reminded
through the outbox before the due date and again while it is overdue, never
after the item is finished.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sqlalchemy import func, select

from warroom.audit import service as audit
from warroom.auth import service as users
from warroom.errors import Conflict, Invalid, NotFound, one_of
from warroom.incidents import service as incidents
from warroom.incidents import timeline
from warroom.notify.service import notify_person
from warroom.reviews import settings as reviews_settings
from warroom.reviews.models import ActionItem

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork
    from warroom.incidents.models import Incident

PRIORITIES = ("high", "medium", "low")
STATUSES = ("open", "in_progress", "done", "wont_do")
OPEN = ("open", "in_progress")
SOURCES = ("review", "playbook_step", "drill", "incident")
REF = re.compile(r"^(?:ai-)?(\d{1,12})$", re.IGNORECASE)
PLAYBOOK = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_./-]{0,298}\.ya?ml$")
BATCH = 200


@dataclass
class NewItem:
    title: str
    owner: str | None = None
    team: str | None = None
    priority: str = "medium"
    due_at: datetime | None = None
    tracker_url: str | None = None
    source: str = "review"
    playbook: str | None = None


def ref(item: ActionItem) -> str:
    return f"AI-{item.id}"


def create(uow: UnitOfWork, *, incident: Incident, new: NewItem) -> ActionItem:
    title = new.title.strip()
    if not title or len(title) > 300:
        raise Invalid("An action item needs a title of 1-300 characters.")
    if new.priority not in PRIORITIES:
        raise Invalid(one_of(new.priority, list(PRIORITIES), "priority"))
    if new.source not in SOURCES:
        raise Invalid(one_of(new.source, list(SOURCES), "source"))
    owner = users.get_by_username_or_raise(uow.session, username=new.owner).username \
        if new.owner else None
    now = uow.now()
    item = ActionItem(
        incident_id=incident.id, title=title, owner=owner,
        team=(new.team or "").strip()[:100] or None, priority=new.priority, due_at=new.due_at,
        status="open", tracker_url=tracker_url(new.tracker_url), source=new.source,
        playbook=playbook_path(new.playbook), is_drill=incident.is_drill, created_at=now,
        created_by=uow.actor.label, updated_at=now, reminders=0)
    item.next_reminder_at = _first_reminder(item, now)
    uow.session.add(item)
    uow.session.flush()
    timeline.add(uow, incident_id=incident.id, kind="action_item",
                 summary=f"Action item {ref(item)} ({item.priority}): {title}"
                         + (f", owner {owner}" if owner else ""),
                 data={"action": "created", "ref": ref(item), "owner": owner})
    audit.record(uow, action="action_item.create", target=_target(incident, item),
                 after=snapshot(item))
    return item


def update(uow: UnitOfWork, *, item: ActionItem, changes: dict[str, Any]) -> ActionItem:
    """Change owner, team, priority, due date, tracker URL, playbook or title."""
    before = snapshot(item)
    checks: dict[str, Any] = {"title": _title, "owner": lambda v: users.get_by_username_or_raise(
        uow.session, username=v).username if v else None,
        "team": lambda v: (v or "").strip()[:100] or None,
        "priority": _priority, "due_at": lambda v: v, "tracker_url": tracker_url,
        "playbook": playbook_path}
    for name, value in changes.items():
        if name in checks:
            setattr(item, name, checks[name](value))
    item.updated_at = uow.now()
    if item.status in OPEN:
        item.next_reminder_at = _first_reminder(item, uow.now())
    audit.record(uow, action="action_item.update", target=_target_of(uow, item), before=before,
                 after=snapshot(item))
    return item


def set_status(uow: UnitOfWork, *, item: ActionItem, status: str,
               note: str | None = None) -> ActionItem:
    if status not in STATUSES:
        raise Invalid(one_of(status, list(STATUSES), "status"))
    note = (note or "").strip() or None
    if status == "done" and note is None:
        raise Invalid("Say what was done (note) before marking the action item done.")
    if status == "wont_do" and note is None:
        raise Invalid("Say why the action item will not be done (note).")
    if item.status == status:
        raise Conflict(f"{ref(item)} is already {status}.")
    before = {"status": item.status, "note": item.note}
    item.status, item.updated_at = status, uow.now()
    if note is not None:
        item.note = note
    item.next_reminder_at = _first_reminder(item, uow.now()) if status in OPEN else None
    if status in ("done", "wont_do"):
        timeline.add(uow, incident_id=item.incident_id, kind="action_item",
                     summary=f"Action item {ref(item)} {status.replace('_', ' ')}: {note}",
                     data={"action": status, "ref": ref(item), "note": note})
    audit.record(uow, action="action_item.status", target=_target_of(uow, item), before=before,
                 after={"status": status, "note": note})
    return item


def get_or_raise(session: Session, *, item_ref: str) -> ActionItem:
    found = REF.match(str(item_ref).strip())
    item = session.get(ActionItem, int(found.group(1))) if found else None
    if item is None:
        raise NotFound(f"There is no action item {item_ref!r}; they look like AI-12.")
    return item


def get_for_update(uow: UnitOfWork, *, item_ref: str) -> ActionItem:
    item = get_or_raise(uow.session, item_ref=item_ref)
    uow.session.refresh(item, with_for_update=True)
    return item


@dataclass
class ItemFilters:
    incident_id: int | None = None
    owner: str | None = None
    team: str | None = None
    status: str | None = None  # a status, or "open" (open and in progress), or "overdue"
    playbook: str | None = None
    drills: bool = False


def get_all(session: Session, *, filters: ItemFilters, now: datetime,
            limit: int = 200) -> list[ActionItem]:
    query = select(ActionItem)
    if filters.incident_id is not None:
        query = query.where(ActionItem.incident_id == filters.incident_id)
    elif not filters.drills:
        query = query.where(ActionItem.is_drill.is_(False))
    if filters.owner:
        query = query.where(ActionItem.owner == filters.owner)
    if filters.team:
        query = query.where(ActionItem.team == filters.team)
    if filters.playbook:
        query = query.where(ActionItem.playbook == filters.playbook)
    if filters.status == "open":
        query = query.where(ActionItem.status.in_(OPEN))
    elif filters.status == "overdue":
        query = query.where(ActionItem.status.in_(OPEN), ActionItem.due_at < now)
    elif filters.status:
        if filters.status not in STATUSES:
            raise Invalid(one_of(filters.status, [*STATUSES, "overdue"], "status"))
        query = query.where(ActionItem.status == filters.status)
    return list(session.scalars(query.order_by(ActionItem.due_at.is_(None), ActionItem.due_at,
                                               ActionItem.id).limit(limit)))


def overdue_by(session: Session, *, now: datetime, facet: str) -> list[dict[str, Any]]:
    """Overdue open items counted per owner or per team."""
    column = ActionItem.owner if facet == "owner" else ActionItem.team
    rows = session.execute(select(column, func.count()).where(
        ActionItem.status.in_(OPEN), ActionItem.due_at < now, ActionItem.is_drill.is_(False))
        .group_by(column).order_by(func.count().desc(), column))
    return [{facet: key, "overdue": n} for key, n in rows]


def open_for_playbook(session: Session, *, playbook: str) -> list[ActionItem]:
    """Open items that point at a playbook file: the catalogue shows them."""
    return list(session.scalars(select(ActionItem).where(
        ActionItem.playbook == playbook, ActionItem.status.in_(OPEN)).order_by(ActionItem.id)))


def open_by_playbook(session: Session, *, files: list[str], now: datetime
                     ) -> dict[str, list[dict[str, Any]]]:
    """Listener of ``playbooks.hooks.open_items``: the open items pointing at
    each of ``files``, in one query (drills' too: a drill's debrief is how a
    procedure gets tested and corrected)."""
    found: dict[str, list[dict[str, Any]]] = {}
    if not files:
        return found
    rows = session.scalars(select(ActionItem).where(
        ActionItem.playbook.in_(files), ActionItem.status.in_(OPEN))
        .order_by(ActionItem.due_at.is_(None), ActionItem.due_at, ActionItem.id))
    for item in rows:
        found.setdefault(item.playbook or "", []).append({
            "ref": ref(item), "title": item.title, "owner": item.owner, "status": item.status,
            "due_at": item.due_at, "overdue": item.due_at is not None and item.due_at < now,
            "incident": f"INC-{item.incident_id}", "is_drill": item.is_drill})
    return found


def remind_due(uow: UnitOfWork) -> datetime | None:
    """Worker cycle ``reviews.reminders``: remind owners of items due soon or
    overdue. Claimed rows are skipped by other workers (PostgreSQL) and each
    reminder's outbox key names its moment, so one is never sent twice."""
    now = uow.now()
    query = select(ActionItem).where(ActionItem.next_reminder_at <= now,
                                     ActionItem.status.in_(OPEN)) \
        .order_by(ActionItem.next_reminder_at).limit(BATCH)
    if not uow.is_sqlite:
        query = query.with_for_update(skip_locked=True)
    for item in uow.session.scalars(query):
        _remind(uow, item, now)
    return uow.session.scalar(select(func.min(ActionItem.next_reminder_at)).where(
        ActionItem.next_reminder_at > now, ActionItem.status.in_(OPEN)))


def tracker_url(value: str | None) -> str | None:
    """An http(s) URL with a host, kept as a link (warroom never fetches it)."""
    text = (value or "").strip()
    if not text:
        return None
    parts = urlsplit(text)
    if len(text) > 2000 or parts.scheme not in ("http", "https") or not parts.hostname \
            or any(c.isspace() for c in text):
        raise Invalid(f"tracker_url: {text[:80]!r} is not an http(s) URL such as "
                      "https://tracker.example.com/PROJ-12.")
    return text


def playbook_path(value: str | None) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    if not PLAYBOOK.match(text) or ".." in text.split("/"):
        raise Invalid(f"playbook: {text[:80]!r} is not a playbook file path such as "
                      "security_breach.yaml.")
    return text


def snapshot(item: ActionItem) -> dict[str, Any]:
    return {"ref": ref(item), "title": item.title, "owner": item.owner, "team": item.team,
            "priority": item.priority, "due_at": item.due_at, "status": item.status,
            "note": item.note, "tracker_url": item.tracker_url, "source": item.source,
            "playbook": item.playbook}


def _remind(uow: UnitOfWork, item: ActionItem, now: datetime) -> None:
    moment = item.next_reminder_at
    if item.due_at is None or moment is None:
        item.next_reminder_at = None
        return
    overdue = now >= item.due_at
    every = timedelta(hours=reviews_settings.get().reviews_overdue_every_hours)
    if overdue:
        late = now - item.due_at
        item.next_reminder_at = item.due_at + every * (late // every + 1)
    else:
        item.next_reminder_at = item.due_at
    item.reminders += 1
    incident = incidents.get(uow.session, incident_id=item.incident_id)
    owner = users.get_by_username(uow.session, username=item.owner) if item.owner else None
    inc_ref = incident.ref if incident else f"INC-{item.incident_id}"
    drill = "[DRILL] " if item.is_drill else ""
    state = "is overdue" if overdue else "is due soon"
    when = f"{item.due_at:%Y-%m-%d %H:%M} UTC"
    if owner is not None:
        notify_person(uow, user_id=owner.id, kind="action_item_reminder",
                      incident_id=item.incident_id,
                      key=f"action-item:{item.id}:{moment.isoformat()}",
                      subject=f"{drill}[warroom] {ref(item)} {state} ({inc_ref})",
                      body=f"{ref(item)} from {inc_ref} {state}: {item.title}\nDue {when}.\n\n"
                           f"Mark it done with:\n  warroom action done {ref(item)} "
                           f"--note 'what was done'\n")


def _first_reminder(item: ActionItem, now: datetime) -> datetime | None:
    if item.due_at is None or item.status not in OPEN:
        return None
    before = item.due_at - timedelta(hours=reviews_settings.get().reviews_remind_before_hours)
    if now < before:
        return before
    if now < item.due_at:
        return item.due_at
    return now


def _priority(value: str) -> str:
    if value not in PRIORITIES:
        raise Invalid(one_of(value, list(PRIORITIES), "priority"))
    return value


def _title(value: str) -> str:
    text = str(value).strip()
    if not text or len(text) > 300:
        raise Invalid("An action item needs a title of 1-300 characters.")
    return text


def _target(incident: Incident, item: ActionItem) -> str:
    return f"incident:{incident.ref}/action_item:{ref(item)}"


def _target_of(uow: UnitOfWork, item: ActionItem) -> str:
    return f"incident:INC-{item.incident_id}/action_item:{ref(item)}"
