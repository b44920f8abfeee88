"""Components: the parts of the service the public sees (chat, media, ...),
each with a status. Every status a component takes is recorded with its time,
which is what the 90-day uptime history is computed from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import delete as sql_delete
from sqlalchemy import func, or_, select

from warroom.audit import service as audit
from warroom.errors import Conflict, Invalid, NotFound
from warroom.statuspage import content, page
from warroom.statuspage.models import AffectedComponent, Component, StatusChange, new_code
from warroom.statuspage.vocabulary import ComponentStatus, component_status

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork

EDITABLE = ("name", "description", "group", "position", "showcase", "only_show_if_degraded")


def get(session: Session, *, component_id: int) -> Component | None:
    return session.get(Component, component_id)


def get_by_name(session: Session, *, name: str) -> Component | None:
    """By name (any case) or by public id."""
    key = str(name).strip()
    return session.scalar(select(Component).where(
        or_(func.lower(Component.name) == key.lower(), Component.code == key)))


def get_by_name_or_raise(session: Session, *, name: str) -> Component:
    component = get_by_name(session, name=name)
    if component is None:
        raise NotFound(unknown_sentence(session, name))
    return component


def get_all(session: Session) -> list[Component]:
    """In page order: by position, then name."""
    return list(session.scalars(select(Component).order_by(Component.position,
                                                           Component.name)))


def create(uow: UnitOfWork, *, name: str, description: str = "", group: str | None = None,
           position: int | None = None, status: str = "operational", showcase: bool = True,
           only_show_if_degraded: bool = False) -> Component:
    name = _clean_name(name)
    if get_by_name(uow.session, name=name) is not None:
        raise Conflict(f"There is already a component named {name!r}.")
    now = uow.now()
    if position is None:
        position = (uow.session.scalar(select(func.max(Component.position))) or 0) + 1
    component = Component(code=new_code(), name=name, description=description.strip(),
                          group_name=(group or "").strip() or None, position=position,
                          status=component_status(status).value, showcase=showcase,
                          only_show_if_degraded=only_show_if_degraded, created_at=now,
                          updated_at=now)
    uow.session.add(component)
    uow.session.flush()
    uow.session.add(StatusChange(component_id=component.id, at=now, old_status=None,
                                 new_status=component.status, cause="created"))
    audit.record(uow, action="statuspage.component.create", target=target(component),
                 after=snapshot(component))
    page.changed(uow)
    return component


def ensure_defaults(uow: UnitOfWork) -> bool:
    """Load the shipped components into a fresh page, once per database
    (deleting them later does not bring them back). True if it loaded them."""
    state = page.get_for_update(uow)
    if state.defaults_loaded:
        return False
    for default in content.default_components():
        if get_by_name(uow.session, name=default.name) is None:
            create(uow, name=default.name, description=default.description,
                   group=default.group, position=default.position)
    state.defaults_loaded = True
    page.changed(uow)
    return True


def update(uow: UnitOfWork, *, component: Component, changes: dict[str, Any]) -> Component:
    """Change descriptive fields; a ``status`` in ``changes`` goes through
    :func:`set_status` so it is recorded in the history."""
    before = snapshot(component)
    for name, value in changes.items():
        if value is None or name not in EDITABLE:
            continue
        if name == "name":
            value = _clean_name(value)
            other = get_by_name(uow.session, name=value)
            if other is not None and other.id != component.id:
                raise Conflict(f"There is already a component named {value!r}.")
        if name == "group":
            name, value = "group_name", str(value).strip() or None
        setattr(component, name, value)
    if changes.get("status") is not None:
        set_status(uow, component=component, status=changes["status"], cause="edited")
    if snapshot(component) != before:
        component.updated_at = uow.now()
        audit.record(uow, action="statuspage.component.update", target=target(component),
                     before=before, after=snapshot(component))
        page.changed(uow)
    return component


def delete(uow: UnitOfWork, *, component: Component) -> None:
    """Take a component off the page, with its history. Updates already
    posted keep naming it: they are what the public was told."""
    before = snapshot(component)
    for model in (StatusChange, AffectedComponent):
        uow.session.execute(sql_delete(model).where(model.component_id == component.id)
                            .execution_options(synchronize_session=False))
    uow.session.delete(component)
    audit.record(uow, action="statuspage.component.delete", target=target(component),
                 before=before)
    page.changed(uow)


def set_status(uow: UnitOfWork, *, component: Component, status: str,
               cause: str) -> tuple[str, str] | None:
    """Move a component to ``status`` (any word :func:`component_status`
    knows) and record when. Returns ``(old, new)``, or None if unchanged."""
    new = component_status(status).value
    old = component.status
    if new == old:
        return None
    now = uow.now()
    component.status = new
    component.updated_at = now
    uow.session.add(StatusChange(component_id=component.id, at=now, old_status=old,
                                 new_status=new, cause=cause[:200]))
    audit.record(uow, action="statuspage.component.status", target=target(component),
                 before={"status": old}, after={"status": new, "cause": cause})
    page.changed(uow)
    return old, new


def resolve_statuses(session: Session,
                     wanted: dict[str, str]) -> list[tuple[Component, ComponentStatus]]:
    """``{"media": "degraded"}`` as components and statuses, or one 422 that
    names every unknown component and status with the valid ones."""
    found: list[tuple[Component, ComponentStatus]] = []
    errors: list[dict[str, str]] = []
    for name, word in wanted.items():
        component = get_by_name(session, name=name)
        if component is None:
            errors.append({"field": f"components.{name}",
                           "message": unknown_sentence(session, name)})
            continue
        try:
            found.append((component, component_status(word)))
        except Invalid as problem:
            errors.append({"field": f"components.{name}", "message": problem.detail})
    if errors:
        raise Invalid(" ".join(e["message"] for e in errors), errors=errors)
    return found


def resolve_names(session: Session, names: list[str]) -> list[Component]:
    """Components by name, or one 422 naming the unknown ones and the valid ones."""
    found = [get_by_name(session, name=name) for name in names]
    unknown = [name for name, component in zip(names, found, strict=True) if component is None]
    if unknown:
        raise Invalid(" ".join(unknown_sentence(session, name) for name in unknown),
                      errors=[{"field": "components", "message": unknown_sentence(session, n)}
                              for n in unknown])
    return [component for component in found if component is not None]


def unknown_sentence(session: Session, name: str) -> str:
    names = [c.name for c in get_all(session)]
    return (f"{name!r} is not a component of the status page; the components are: "
            f"{', '.join(names) or 'none yet'}.")


def target(component: Component) -> str:
    return f"statuspage:component:{component.name}"


def snapshot(component: Component) -> dict[str, Any]:
    return {"id": component.code, "name": component.name, "description": component.description,
            "group": component.group_name, "position": component.position,
            "status": component.status, "showcase": component.showcase,
            "only_show_if_degraded": component.only_show_if_degraded}


def _clean_name(name: str) -> str:
    name = str(name).strip()
    if not name:
        raise Invalid("A component needs a name.")
    if len(name) > 100:
        raise Invalid("A component name is at most 100 characters.")
    return name
