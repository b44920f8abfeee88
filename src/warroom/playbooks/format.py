"""The playbook file format: what a YAML file under ``playbooks/`` may say.

A playbook names what it applies to and lists lifecycle phases with steps.
Every step has an owner (an incident role), a due window relative to the
declaration (seed 000 writes them as "0-5 minutes", "45+ minutes"), a kind with
its own parameters, whether it gates resolution, and the seed section it comes
from, so every step a responder sees can be traced to the written procedure.

The same pydantic models are exported as JSON Schema (``playbooks/schema.json``)
so editors can check a file as it is written.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

if TYPE_CHECKING:
    from collections.abc import Iterator

SLUG = r"^[a-z0-9][a-z0-9-]{0,79}$"
ROLE_ID = r"^[a-z][a-z_]{1,39}$"
WINDOW_PATTERN = (r"^(within \d+|\d+ ?- ?\d+|\d+\+) ?"
                  r"(minute|minutes|hour|hours|day|days|week|weeks)$")
DURATION_PATTERN = r"^\d+ ?(s|m|h)$"
CONDITION_PATTERN = r"^(>|>=|<|<=|==|!=) ?-?\d+(\.\d+)?$"
TARGET_PATTERN = r"^(role|channel|email|webhook):\S.*$"

PhaseId = Literal["detection", "triage", "containment", "eradication", "recovery",
                  "lessons_learned"]
PHASE_ORDER: tuple[str, ...] = ("detection", "triage", "containment", "eradication", "recovery",
                                "lessons_learned")
IncidentTypeId = Literal["security_breach", "service_outage", "performance_degradation",
                         "data_integrity", "compliance_violation", "third_party"]
AUTOMATED_KINDS = ("command", "http", "prometheus_check", "notify", "wait")
_UNITS = {"minute": "minutes", "hour": "hours", "day": "days", "week": "weeks"}


class Window(NamedTuple):
    """When a step is due, relative to the declaration: from ``start`` until
    ``end``. An open window ("45+ minutes") has no end; a deadline ("within 4
    hours") has no start: it opens when the incident reaches the step's phase."""

    start: timedelta | None
    end: timedelta | None
    text: str


def parse_window(text: str) -> Window:
    """"0-5 minutes", "45+ minutes", "within 4 hours" -> :class:`Window`."""
    match = re.match(WINDOW_PATTERN, text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a due window; write e.g. '0-5 minutes', "
                         "'45+ minutes' or 'within 4 hours'")
    bounds, unit = match.group(1), match.group(2)
    unit = _UNITS.get(unit, unit)
    if bounds.startswith("within"):
        return Window(None, timedelta(**{unit: int(bounds.split()[1])}), text)
    if bounds.endswith("+"):
        return Window(timedelta(**{unit: int(bounds[:-1])}), None, text)
    low, high = (int(part) for part in bounds.replace(" ", "").split("-"))
    if high <= low:
        raise ValueError(f"due window {text!r} ends before it starts")
    return Window(timedelta(**{unit: low}), timedelta(**{unit: high}), text)


def parse_duration(text: str) -> timedelta:
    """"30s", "5m", "1h" -> timedelta."""
    match = re.match(DURATION_PATTERN, text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a duration; write e.g. '30s', '5m' or '1h'")
    amount = int(text.strip()[:-1])
    return timedelta(**{{"s": "seconds", "m": "minutes", "h": "hours"}[match.group(1)]: amount})


def parse_condition(text: str) -> tuple[str, float]:
    """"> 0.99" -> (">", 0.99)."""
    match = re.match(r"^(>=|<=|==|!=|>|<) ?(-?\d+(?:\.\d+)?)$", text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a condition; write e.g. '> 0.99'")
    return match.group(1), float(match.group(2))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Step(_Strict):
    id: str = Field(pattern=SLUG, description="Unique within the playbook; lower-case and "
                    "dashes. Used on the command line: `warroom playbook tick INC-1 <id>`.")
    title: str = Field(min_length=3, max_length=300)
    role: str = Field(pattern=ROLE_ID, description="The incident role that owns the step "
                      "(an id from rules/incident_roles.yaml, e.g. technical_lead).")
    due: str | None = Field(None, pattern=WINDOW_PATTERN, description="Due window relative to "
                            "the declaration, e.g. '0-5 minutes', '45+ minutes', 'within 4 "
                            "hours'. Defaults to the phase's window.")
    gate: bool = Field(False, description="The incident cannot be resolved until this step "
                       "has succeeded (unless a commander overrides with a reason).")
    source: str = Field(min_length=8, max_length=300, description="The seed section this step "
                        "comes from, e.g. 'seed 000 §2.5 Health Validation'.")
    after: list[str] = Field(default_factory=list, description="Ids of earlier steps that must "
                             "have succeeded (or been skipped) before this one starts.")
    description: str = Field("", max_length=4000)

    @field_validator("due")
    @classmethod
    def _window(cls, value: str | None) -> str | None:
        if value is not None:
            parse_window(value)
        return value


class ChecklistStep(_Step):
    """A person does it and ticks it, with optional notes."""

    kind: Literal["checklist"]
    items: list[str] = Field(default_factory=list, description="What to look at or do, "
                             "shown with the step.")
    template: str | None = Field(None, pattern=r"^[a-z0-9_]{2,40}$", description="A message "
                                 "template that helps with this step (see `warroom comms "
                                 "templates`).")


class CommandStep(_Step):
    """A shell command the worker runs with a timeout; its output goes to the
    timeline. It only runs when the operator allow-lists it
    (WARROOM_PLAYBOOK_COMMAND_ALLOWLIST); a destructive one also needs a
    commander's approval first."""

    kind: Literal["command"]
    command: str = Field(min_length=1, max_length=10_000, description="Run by /bin/sh -c. "
                         "Jinja expressions ({{ incident.ref }}, {{ incident.labels.x }}) are "
                         "shell-quoted.")
    timeout: str | None = Field(None, pattern=DURATION_PATTERN, description="Default: "
                                "WARROOM_PLAYBOOK_COMMAND_TIMEOUT_SECONDS.")
    destructive: bool = False
    evidence: bool = Field(False, description="Keep the command's standard output as an "
                           "evidence item linked to this step (streamed and hashed, with the "
                           "command, host, times, exit code and the hash of standard error); "
                           "standard error goes to the timeline.")

    @field_validator("timeout")
    @classmethod
    def _timeout(cls, value: str | None) -> str | None:
        if value is not None and parse_duration(value) <= timedelta(0):
            raise ValueError("a timeout must be longer than zero")
        return value


class HttpStep(_Step):
    """A templated API call; the response is recorded. A relative URL calls this
    warroom (with WARROOM_PLAYBOOK_API_TOKEN); any other URL must be
    allow-listed (WARROOM_PLAYBOOK_HTTP_ALLOWLIST)."""

    kind: Literal["http"]
    method: Literal["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] = "GET"
    url: str = Field(min_length=1, max_length=2000)
    headers: dict[str, str] = Field(default_factory=dict)
    body: Any = Field(None, description="JSON body; strings inside may use Jinja.")
    expect_status: list[int] = Field(default_factory=list, description="Statuses that count "
                                     "as success; default any 2xx.")
    timeout: str | None = Field(None, pattern=DURATION_PATTERN)
    destructive: bool = False


class PrometheusCheckStep(_Step):
    """A PromQL query against the configured Prometheus and a condition every
    returned series must meet. Without a condition the value is only recorded.
    A failing check is evaluated again every ``recheck``."""

    kind: Literal["prometheus_check"]
    query: str = Field(min_length=1, max_length=4000)
    condition: str | None = Field(None, pattern=CONDITION_PATTERN,
                                  description="e.g. '> 0.99'")
    on_empty: Literal["fail", "pass"] = Field("fail", description="What an empty answer "
                                              "(no series) means.")
    recheck: str | None = Field(None, pattern=DURATION_PATTERN, description="Default: "
                                "WARROOM_PLAYBOOK_RECHECK_SECONDS.")


class NotifyStep(_Step):
    """Send a message template to roles and channels through the outbox."""

    kind: Literal["notify"]
    template: str = Field(pattern=r"^[a-z0-9_]{2,40}$")
    to: list[Annotated[str, Field(pattern=TARGET_PATTERN, max_length=2000)]] = Field(
        min_length=1, description="role:<role id>, channel:<name from WARROOM_COMMS_CHANNELS>, "
        "email:<address> or webhook:<url>")
    fields: dict[str, str | list[str]] = Field(default_factory=dict)
    destructive: bool = False


class WaitStep(_Step):
    """A timer: succeeds ``duration`` after it starts (its window opened and the
    steps it comes after are done). Used between the stages of a staged
    procedure."""

    kind: Literal["wait"]
    duration: str = Field(pattern=DURATION_PATTERN)


Step = Annotated[ChecklistStep | CommandStep | HttpStep | PrometheusCheckStep | NotifyStep
                 | WaitStep, Field(discriminator="kind")]


class PhaseSteps(_Strict):
    phase: PhaseId
    due: str | None = Field(None, pattern=WINDOW_PATTERN, description="Default due window "
                            "for the phase's steps.")
    steps: list[Step] = Field(min_length=1)

    @field_validator("due")
    @classmethod
    def _window(cls, value: str | None) -> str | None:
        if value is not None:
            parse_window(value)
        return value


class Match(_Strict):
    """What, besides the type, makes this playbook the right one for an incident.

    Every criterion given must hold; ``keywords`` and ``services`` hold when any
    one of them does. The more criteria a playbook gives, the more specific it
    is: among the playbooks of an incident's type that match, the most specific
    wins (see ``selection``)."""

    services: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, description="Any of these services is affected.")
    labels: dict[str, str] = Field(default_factory=dict, description="Every one of these "
                                   "labels has this value.")
    keywords: list[Annotated[str, Field(min_length=2, max_length=100)]] = Field(
        default_factory=list, description="Any of these words or phrases appears in the "
        "title or description (whole words, any case).")
    pattern: str | None = Field(None, min_length=1, max_length=500, description="A regular "
                                "expression searched in the title and description (any case).")

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as problem:
                raise ValueError(f"{value!r} is not a regular expression: {problem}") from None
        return value

    @model_validator(mode="after")
    def _says_something(self) -> Match:
        if not (self.services or self.labels or self.keywords or self.pattern):
            raise ValueError("match needs at least one of services, labels, keywords, pattern")
        return self

    def why(self, *, services: list[str], labels: dict[str, object], text: str) -> list[str]:
        """What matched, one phrase per criterion, or [] when any criterion fails."""
        reasons = []
        if self.services:
            hit = next((s for s in self.services if s in services), None)
            if hit is None:
                return []
            reasons.append(f"service {hit!r}")
        for key, value in self.labels.items():
            if str(labels.get(key, "")) != value:
                return []
            reasons.append(f"label {key}={value}")
        if self.keywords:
            hit = next((k for k in self.keywords if re.search(
                rf"\b{re.escape(k)}\b", text, re.IGNORECASE)), None)
            if hit is None:
                return []
            reasons.append(f"text {hit!r}")
        if self.pattern and not re.search(self.pattern, text, re.IGNORECASE):
            return []
        return reasons + ([f"text /{self.pattern}/"] if self.pattern else [])


class AppliesTo(_Strict):
    incident_types: list[IncidentTypeId] = Field(default_factory=list)
    alerts: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list, description="Alert names (Prometheus alertname) this playbook "
        "answers.")
    match: Match | None = Field(None, description="Services, labels or words that make this "
                                "playbook the one for an incident of its types, rather than "
                                "the type's playbook in selection.yaml.")

    @model_validator(mode="after")
    def _typed_match(self) -> AppliesTo:
        if self.match is not None and not self.incident_types:
            raise ValueError("match only chooses among the playbooks of an incident's type: "
                             "list incident_types too")
        return self


class Playbook(_Strict):
    """One playbook file."""

    name: str = Field(pattern=SLUG, description="Same as the file name without .yaml.")
    version: str = Field(pattern=r"^[0-9A-Za-z][0-9A-Za-z.+-]{0,39}$")
    title: str = Field(min_length=3, max_length=200)
    description: str = Field("", max_length=4000)
    source: str = Field(min_length=8, max_length=300)
    applies_to: AppliesTo = Field(default_factory=AppliesTo)
    phases: list[PhaseSteps] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Playbook:
        order = [PHASE_ORDER.index(block.phase) for block in self.phases]
        if order != sorted(set(order)):
            raise ValueError("phases must follow the lifecycle order (detection, triage, "
                             "containment, eradication, recovery, lessons_learned), each once")
        seen: set[str] = set()
        for block, step in self.steps():
            if step.id in seen:
                raise ValueError(f"step id {step.id!r} is used twice")
            missing = [name for name in step.after if name not in seen]
            if missing:
                raise ValueError(f"step {step.id!r} comes after {missing}, which are not "
                                 "earlier steps of this playbook")
            if step.due is None and block.due is None:
                raise ValueError(f"step {step.id!r} has no due window and neither has its "
                                 f"phase {block.phase!r}")
            seen.add(step.id)
        return self

    def steps(self) -> Iterator[tuple[PhaseSteps, Step]]:
        for block in self.phases:
            for step in block.steps:
                yield block, step


def window_of(block: PhaseSteps, step: Step) -> Window:
    return parse_window(step.due or block.due or "")


def json_schema() -> str:
    """The JSON Schema of a playbook file, as committed in ``playbooks/schema.json``."""
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
              **Playbook.model_json_schema()}
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
