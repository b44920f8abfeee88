"""The routing rule format and how one rule matches, groups and titles alerts.

A rule matches alert labels (``match``: equality, ``match_re``: fully
anchored regular expressions; an absent label is the empty string, as in
Alertmanager) and says what incident the alerts become: type, severity,
services, the playbook and escalation policy to start, the labels that form
the group key, and a title template (Jinja2, sandboxed). Where rules come from
and in which order they are tried is :mod:`warroom.intake.rules.rulebook`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from warroom.errors import Invalid
from warroom.incidents import catalog
from warroom.strict import Switch
from warroom.text import Line, Text

RULE_NAME = r"^[a-z0-9][a-z0-9._-]{0,99}$"
DEFAULT_TITLE = "{{ summary or alertname }}"
_templates = SandboxedEnvironment(autoescape=False, trim_blocks=True)


class Rule(BaseModel):
    """One routing rule, as written in ``rules/routing/*.yaml`` or stored by API."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(pattern=RULE_NAME, examples=["websocket-service-down"])
    description: Text = Field("", max_length=2000)
    match: dict[Line, Line] = Field(default_factory=dict, max_length=32)
    match_re: dict[Line, Line] = Field(default_factory=dict, max_length=32)
    fallback: Switch = False
    """Catches alerts no other rule matched; it has no matchers."""
    type: Line
    severity: Line
    use_alert_severity: Switch = False
    """Prefer the severity the alert itself names (its ``severity`` label or
    PagerDuty severity) over ``severity``."""
    services: list[Line] = Field(default_factory=list, max_length=32)
    """Service names; each may be a template such as ``{{ labels.service }}``."""
    playbook: Line | None = Field(None, max_length=200)
    """Name of the playbook to attach; may be a template."""
    escalation_policy: Line | None = Field(None, max_length=200)
    """Name of the escalation policy to start; may be a template such as
    ``{{ severity }}`` when the severity comes from the alert."""
    group_by: list[Line] = Field(default_factory=lambda: ["alertname"], max_length=32)
    title: Line = Field(DEFAULT_TITLE, max_length=1000)
    on_all_resolved: Literal["note", "recovery"] = "note"
    """When every alert of the incident has resolved: only say so on the
    timeline, or also move the incident to recovery (if its phase allows)."""

    @field_validator("type")
    @classmethod
    def _type(cls, value: str) -> str:
        return _vocabulary(catalog.incident_type, value).value

    @field_validator("severity")
    @classmethod
    def _severity(cls, value: str) -> str:
        return _vocabulary(catalog.severity, value).id

    @field_validator("match_re")
    @classmethod
    def _regexes(cls, value: dict[str, str]) -> dict[str, str]:
        for label, pattern in value.items():
            try:
                re.compile(pattern)
            except re.error as bad:
                raise ValueError(f"{label}: {pattern!r} is not a valid regular expression "
                                 f"({bad})") from None
        return value

    @field_validator("title")
    @classmethod
    def _template(cls, value: str) -> str:
        _compile(value)
        return value

    @field_validator("services")
    @classmethod
    def _service_templates(cls, value: list[str]) -> list[str]:
        for entry in value:
            _compile(entry)
        return value

    @field_validator("playbook", "escalation_policy")
    @classmethod
    def _name_template(cls, value: str | None) -> str | None:
        if value is not None:
            _compile(value)
        return value

    @model_validator(mode="after")
    def _fallback_has_no_matchers(self) -> Rule:
        if self.fallback and (self.match or self.match_re):
            raise ValueError("a fallback rule catches what nothing else matched; it cannot "
                             "have match or match_re")
        if not self.fallback and not (self.match or self.match_re):
            raise ValueError("give match or match_re (or mark the rule fallback: true)")
        return self


@dataclass
class CompiledRule:
    """A rule ready to use, with where it came from."""

    rule: Rule
    origin: str
    """``database`` or the file it was read from."""
    _equal: tuple[tuple[str, str], ...] = ()
    _regex: tuple[tuple[str, re.Pattern[str]], ...] = ()
    _title: Any = None
    _services: list[Any] = field(default_factory=list)
    _playbook: Any = None
    _policy: Any = None

    @classmethod
    def build(cls, rule: Rule, origin: str) -> CompiledRule:
        return cls(rule=rule, origin=origin, _equal=tuple(rule.match.items()),
                   _regex=tuple((k, re.compile(v)) for k, v in rule.match_re.items()),
                   _title=_compile(rule.title),
                   _services=[_compile(entry) for entry in rule.services],
                   _playbook=_compile(rule.playbook) if rule.playbook else None,
                   _policy=_compile(rule.escalation_policy) if rule.escalation_policy else None)

    @property
    def name(self) -> str:
        return self.rule.name

    def matches(self, labels: dict[str, str]) -> bool:
        for name, value in self._equal:
            if labels.get(name, "") != value:
                return False
        return all(pattern.fullmatch(labels.get(name, "")) for name, pattern in self._regex)

    def severity_for(self, alert_severity: str | None) -> str:
        if self.rule.use_alert_severity and alert_severity:
            return alert_severity
        return self.rule.severity

    def group_key(self, labels: dict[str, str]) -> str:
        parts = [self.rule.name, *(f"{n}={labels.get(n, '')}" for n in self.rule.group_by)]
        return hashlib.sha256("\x00".join(parts).encode()).hexdigest()

    def group_labels(self, labels: dict[str, str]) -> dict[str, str]:
        return {name: labels.get(name, "") for name in self.rule.group_by}

    def title(self, variables: dict[str, Any]) -> str:
        fallback = str(variables.get("summary") or variables.get("alertname") or self.name)
        return _render(self._title, variables, fallback)[:300] or fallback[:300]

    def services(self, variables: dict[str, Any]) -> list[str]:
        rendered = (_render(template, variables, "") for template in self._services)
        return [name[:100] for name in rendered if name]

    def playbook(self, variables: dict[str, Any]) -> str | None:
        return _render(self._playbook, variables, "") or None if self._playbook else None

    def escalation_policy(self, variables: dict[str, Any]) -> str | None:
        return _render(self._policy, variables, "") or None if self._policy else None


def _compile(source: str) -> Any:
    try:
        return _templates.from_string(source)
    except TemplateError as bad:
        raise ValueError(f"template {source!r} does not compile: {bad}") from None


def _render(template: Any, variables: dict[str, Any], fallback: str) -> str:
    """Render, or fall back: a template problem must never lose an alert."""
    try:
        return " ".join(template.render(**variables).split())
    except Exception:
        return fallback


def _vocabulary(parse: Any, value: str) -> Any:
    try:
        return parse(value)
    except Invalid as problem:
        raise ValueError(problem.detail) from None
