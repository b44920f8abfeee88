"""Where routing rules come from, in which order they are tried, and the
compiled set each process keeps in memory.

Order: rules stored in the database (API, CLI) first, by ``position`` then
name; then the shipped files under ``rules/routing/`` in file-name order and
in order within a file. The first rule that matches wins. A database rule with
the same name as a shipped rule replaces it. The first rule marked
``fallback: true`` catches whatever nothing else matched; there must be one.

Each process keeps the compiled set and rebuilds it when the generation
counter in ``intake_state`` moves (any change, from any process, moves it), so
edits and ``warroom rules reload`` apply without a restart. A set that does not
validate is refused as a whole and the previous one stays in use.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import select

from warroom.audit import service as audit
from warroom.errors import Conflict, Invalid, NotFound, Unavailable
from warroom.intake import settings as intake_settings
from warroom.intake import switches
from warroom.intake.models import RoutingRuleRecord
from warroom.intake.rules.routing import CompiledRule, Rule

if TYPE_CHECKING:
    from pathlib import Path

    from sqlalchemy.orm import Session

    from warroom.db import UnitOfWork


class RuleFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rules: list[dict[str, Any]]


@dataclass
class RuleSet:
    rules: list[CompiledRule]
    """Every rule in the order tried (fallback rules included, tried last)."""
    fallback: CompiledRule
    shadowed: list[CompiledRule] = field(default_factory=list)
    generation: int = 0
    _by_name: dict[str, list[CompiledRule]] = field(default_factory=dict, repr=False)

    def route(self, labels: dict[str, str]) -> CompiledRule:
        for rule in self._candidates(labels.get("alertname", "")):
            if rule.matches(labels):
                return rule
        return self.fallback

    def by_name(self, name: str) -> CompiledRule | None:
        return next((r for r in self.rules if r.name == name), None)

    def _candidates(self, alertname: str) -> list[CompiledRule]:
        """The rules that could match this alert name, in order: most rules
        name one alert, so most alerts are tested against one or two rules."""
        found = self._by_name.get(alertname)
        if found is None:
            found = [r for r in self.rules if not r.rule.fallback
                     and r.rule.match.get("alertname", alertname) == alertname]
            if len(self._by_name) > 10_000:
                self._by_name.clear()
            self._by_name[alertname] = found
        return found


_lock = threading.Lock()
_cache: RuleSet | None = None
_cache_for: tuple[str, str] | None = None


def current(session: Session, *, generation: int) -> RuleSet:
    """The compiled rules, rebuilt if another process changed them."""
    global _cache, _cache_for
    place = _place(session)
    cached = _cache
    if cached is not None and cached.generation == generation and _cache_for == place:
        return cached
    with _lock:
        if _cache is None or _cache.generation != generation or _cache_for != place:
            try:
                _cache, _cache_for = build(session, generation=generation), place
            except Invalid as problem:
                if _cache is None or _cache_for != place:
                    raise Unavailable(f"Routing rules do not load, so alerts cannot be routed; "
                                      f"senders will retry. {problem.detail}") from None
                _cache.generation = generation  # keep the last good set, do not retry per alert
        return _cache


def build(session: Session, *, generation: int = 0) -> RuleSet:
    """Read the shipped files and the database rules; raise Invalid naming
    every problem when they do not form a valid set."""
    errors: list[str] = []
    shipped = load_files(intake_settings.get().rules_dir, errors)
    stored = [_from_record(record, errors) for record in records(session)]
    stored_rules = [rule for rule in stored if rule is not None]
    names = {rule.name for rule in stored_rules}
    shadowed = [rule for rule in shipped if rule.name in names]
    ordered = stored_rules + [rule for rule in shipped if rule.name not in names]
    fallback = next((rule for rule in ordered if rule.rule.fallback), None)
    if fallback is None:
        errors.append("no rule has fallback: true, so alerts that match nothing would have "
                      "nowhere to go")
    if errors:
        raise Invalid("Routing rules are invalid: " + "; ".join(errors[:20]), errors=errors)
    assert fallback is not None
    return RuleSet(rules=ordered, fallback=fallback, shadowed=shadowed, generation=generation)


def load_files(directory: Path, errors: list[str]) -> list[CompiledRule]:
    loaded: list[CompiledRule] = []
    seen: dict[str, str] = {}
    files = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")]) \
        if directory.is_dir() else []
    if not files:
        errors.append(f"no routing rule files (*.yaml) in {directory}")
    for path in files:
        for rule in _load_file(path, errors):
            if rule.name in seen:
                errors.append(f"{path.name}: rule {rule.name!r} is also defined in "
                              f"{seen[rule.name]}")
                continue
            seen[rule.name] = path.name
            loaded.append(CompiledRule.build(rule, origin=f"rules/routing/{path.name}"))
    return loaded


def reload(uow: UnitOfWork) -> RuleSet:
    """Re-read the files now; refuse (and keep the old rules) if they are invalid."""
    generation = switches.bump_rules(uow)
    ruleset = build(uow.session, generation=generation)
    audit.record(uow, action="routing.reload", target="routing:rules",
                 after={"rules": [r.name for r in ruleset.rules], "generation": generation})
    place = _place(uow.session)
    uow.after_commit(lambda: _install(ruleset, place))
    return ruleset


def records(session: Session) -> list[RoutingRuleRecord]:
    return list(session.scalars(select(RoutingRuleRecord)
                                .order_by(RoutingRuleRecord.position, RoutingRuleRecord.name)))


def get_record(session: Session, *, name: str) -> RoutingRuleRecord | None:
    return session.scalar(select(RoutingRuleRecord).where(RoutingRuleRecord.name == name))


def create(uow: UnitOfWork, *, rule: Rule, position: int = 100) -> RoutingRuleRecord:
    """Store a rule (tried before the shipped ones; replaces a shipped rule of
    the same name)."""
    if get_record(uow.session, name=rule.name) is not None:
        raise Conflict(f"A stored routing rule named {rule.name!r} already exists; change it "
                       "with PUT or delete it first.")
    now = uow.now()
    record = RoutingRuleRecord(name=rule.name, position=position,
                               definition=rule.model_dump(mode="json"), created_at=now,
                               created_by=uow.actor.label, updated_at=now,
                               updated_by=uow.actor.label)
    uow.session.add(record)
    uow.session.flush()
    _changed(uow, action="routing.create", name=rule.name, before=None,
             after={"position": position, **record.definition})
    return record


def update(uow: UnitOfWork, *, name: str, rule: Rule, position: int | None = None
           ) -> RoutingRuleRecord:
    record = _record_or_raise(uow.session, name)
    if rule.name != name:
        raise Invalid(f"The rule's name ({rule.name!r}) must stay {name!r}; to rename, create "
                      "a new rule and delete this one.")
    before = {"position": record.position, **record.definition}
    record.definition = rule.model_dump(mode="json")
    record.position = record.position if position is None else position
    record.updated_at, record.updated_by = uow.now(), uow.actor.label
    uow.session.flush()
    _changed(uow, action="routing.update", name=name, before=before,
             after={"position": record.position, **record.definition})
    return record


def delete(uow: UnitOfWork, *, name: str) -> None:
    record = _record_or_raise(uow.session, name)
    before = {"position": record.position, **record.definition}
    uow.session.delete(record)
    uow.session.flush()
    _changed(uow, action="routing.delete", name=name, before=before, after=None)


def _changed(uow: UnitOfWork, *, action: str, name: str, before: Any, after: Any) -> None:
    """Check the whole set still builds, then tell every process to reload."""
    generation = switches.bump_rules(uow)
    ruleset = build(uow.session, generation=generation)
    audit.record(uow, action=action, target=f"routing:{name}", before=before, after=after)
    place = _place(uow.session)
    uow.after_commit(lambda: _install(ruleset, place))


def _install(ruleset: RuleSet, place: tuple[str, str]) -> None:
    global _cache, _cache_for
    with _lock:
        if _cache is None or _cache_for != place or _cache.generation <= ruleset.generation:
            _cache, _cache_for = ruleset, place


def _place(session: Session) -> tuple[str, str]:
    """Which database and rules folder a compiled set belongs to (one process
    may serve several, as the tests do)."""
    return switches.database_key(session), str(intake_settings.get().rules_dir)


def _record_or_raise(session: Session, name: str) -> RoutingRuleRecord:
    record = get_record(session, name=name)
    if record is None:
        raise NotFound(f"There is no stored routing rule named {name!r} (shipped rules are "
                       "changed by storing a rule with the same name).")
    return record


def _from_record(record: RoutingRuleRecord, errors: list[str]) -> CompiledRule | None:
    try:
        return CompiledRule.build(Rule.model_validate(record.definition), origin="database")
    except ValidationError as bad:
        errors.append(f"stored rule {record.name!r}: {_sentence(bad)}")
        return None


def _load_file(path: Path, errors: list[str]) -> list[Rule]:
    try:
        document = RuleFile.model_validate(yaml.safe_load(path.read_text()) or {})
    except (yaml.YAMLError, OSError) as bad:
        errors.append(f"{path.name}: cannot be read as YAML ({bad})")
        return []
    except ValidationError as bad:
        errors.append(f"{path.name}: {_sentence(bad)}")
        return []
    rules = []
    for index, raw in enumerate(document.rules):
        try:
            rules.append(Rule.model_validate(raw))
        except ValidationError as bad:
            label = raw.get("name", "?") if isinstance(raw, dict) else "?"
            errors.append(f"{path.name}: rules[{index}] ({label}): {_sentence(bad)}")
    return rules


def _sentence(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:5]:
        where = ".".join(str(p) for p in item.get("loc", ())) or "rule"
        parts.append(f"{where}: {str(item.get('msg', 'is invalid')).removeprefix('Value error, ')}")
    return "; ".join(parts)
