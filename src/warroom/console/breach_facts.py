"""The assess form of ``/breaches/{ref}``: what is known about a breach, one
field per fact, pre-filled from the record.

The form posts every field, so only what differs from what the record shows
is sent to the register (a time shown to the second, re-posted unchanged,
must not move the awareness time and its clocks). What is typed is checked
with the API's own request shape (:class:`warroom.compliance.schemas.Facts`)
and each refusal is put beside its field; the register's own refusals
(:func:`warroom.compliance.service.assess`) are placed by the field their
sentence names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError

from warroom.compliance.schemas import Facts
from warroom.text import message

if TYPE_CHECKING:
    from warroom.compliance.models import Breach

TIMES = ("other_party_notified_at", "aware_at", "classified_at")
COUNTS = ("subjects_min", "subjects_max", "records_min", "records_max")
LISTS = ("subject_categories", "data_categories", "special_categories")
CHOICES = ("role", "risk", "art34_exception")
TEXTS = ("other_party", "awareness_basis", "decided_by", "likely_consequences",
         "measures_taken", "measures_proposed", "risk_rationale", "lead_authority",
         "competent_authority", "art34_rationale", "reasons_for_delay")
FIELDS = (*TIMES, *COUNTS, *LISTS, *CHOICES, *TEXTS, "nature", "cross_border")
LABELS = {"other_party_notified_at": "when the other party was told", "aware_at":
          "the awareness time", "classified_at": "the classification time",
          "subjects_min": "the lowest number of data subjects", "subjects_max":
          "the highest number of data subjects", "records_min": "the lowest number of records",
          "records_max": "the highest number of records", "role": "our role", "risk": "the risk",
          "art34_exception": "the Art. 34(3) exception"}
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?"
                   r"(?:\s*(?:UTC|[Zz]|[+-]\d{2}:?\d{2}))?")
_NUMBER = re.compile(r"\d{1,11}")


class AssessForm(BaseModel):
    """The form as posted: strings (and the ticked natures), checked below.
    A field left out of the post is unchanged; the check boxes follow the
    browser's rule (left out means not ticked)."""

    model_config = ConfigDict(extra="ignore")
    role: str | None = None
    other_party: str | None = None
    other_party_notified_at: str | None = None
    aware_at: str | None = None
    awareness_basis: str | None = None
    decided_by: str | None = None
    classified_at: str | None = None
    nature: list[str] = []
    subject_categories: str | None = None
    subjects_min: str | None = None
    subjects_max: str | None = None
    data_categories: str | None = None
    special_categories: str | None = None
    records_min: str | None = None
    records_max: str | None = None
    likely_consequences: str | None = None
    measures_taken: str | None = None
    measures_proposed: str | None = None
    risk: str | None = None
    risk_rationale: str | None = None
    lead_authority: str | None = None
    competent_authority: str | None = None
    cross_border: str = ""
    art34_exception: str | None = None
    art34_rationale: str | None = None
    reasons_for_delay: str | None = None


@dataclass
class Parsed:
    facts: dict[str, Any]
    errors: dict[str, str]
    typed: dict[str, Any]


def shown(breach: Breach) -> dict[str, Any]:
    """The record as the form shows it (and as an unchanged post sends it back)."""
    values: dict[str, Any] = {}
    for name in FIELDS:
        value = getattr(breach, name)
        if name in TIMES:
            values[name] = value.strftime("%Y-%m-%d %H:%M:%S") if value else ""
        elif name in LISTS:
            values[name] = "\n".join(str(item) for item in value or [])
        elif name == "nature":
            values[name] = list(value or [])
        elif name == "cross_border":
            values[name] = "yes" if value else ""
        else:
            values[name] = "" if value is None else str(value)
    return values


def typed(form: AssessForm, breach: Breach | None = None) -> dict[str, Any]:
    """What was typed, to re-render a refused form with it (the record's
    value for a field left out)."""
    record = shown(breach) if breach is not None else {}
    values = {name: getattr(form, name) for name in FIELDS}
    return {name: record.get(name, "") if value is None else value
            for name, value in values.items()}


def parse(form: AssessForm, breach: Breach) -> Parsed:
    """The facts that changed, or the errors by field (``fact-<name>``)."""
    before = shown(breach)
    now = {name: getattr(form, name) for name in FIELDS}
    facts: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in FIELDS:
        if now[name] is None or _same(name, now[name], before[name]):
            continue
        try:
            value = _read(name, now[name], before[name])
        except ValueError as error:
            errors[f"fact-{name}"] = str(error)
            continue
        facts[name] = value
    if not errors:
        try:
            checked = Facts.model_validate(facts)
        except ValidationError as invalid:
            for problem in invalid.errors():
                name = str(problem["loc"][0]) if problem["loc"] else ""
                errors.setdefault(f"fact-{name}",
                                  f"{_label(name).capitalize()}: {message(problem)}.")
        else:
            facts = checked.model_dump(exclude_none=True)
    return Parsed(facts=facts, errors=errors, typed=typed(form, breach))


def field_of(detail: str) -> str:
    """The form field a refusal of the register names (``assess`` when none)."""
    if "number of subjects" in detail:
        return "fact-subjects_min"
    if "number of records" in detail:
        return "fact-records_min"
    for name in sorted(FIELDS, key=len, reverse=True):
        if re.search(rf"\b{name}\b", detail):
            return f"fact-{name}"
    return "assess"


def _same(name: str, now: Any, before: Any) -> bool:
    if name == "nature":
        return sorted(now) == sorted(before)
    if name in LISTS:
        return _items(now) == _items(before)
    if name == "cross_border":
        return bool(now) == bool(before)
    return str(now).strip() == str(before).strip()


def _read(name: str, text: Any, before: Any) -> Any:
    if name == "nature":
        return [str(item) for item in text]
    if name in LISTS:
        return _items(text)
    if name == "cross_border":
        return bool(text)
    value = str(text).strip()
    if name in TEXTS:
        return value  # emptied: the recorded text is taken off
    if not value:
        raise ValueError(f"{_label(name).capitalize()} is recorded as {before}; it can be "
                         "corrected but not taken off.")
    if name in TIMES:
        return _time(name, value)
    if name in COUNTS:
        if not _NUMBER.fullmatch(value):
            raise ValueError(f"{_label(name).capitalize()} must be a whole number, such as "
                             "1200 (the approximate count).")
        return int(value)
    return value


def _time(name: str, value: str) -> datetime:
    if not _TIME.fullmatch(value):
        raise ValueError(f"Give {_label(name)} as YYYY-MM-DD HH:MM in UTC, such as "
                         "2026-03-05 14:30.")
    text = re.sub(r"\s*UTC$", "", value).replace("z", "Z")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{value} does not exist on the calendar; give "
                         f"{_label(name)} as YYYY-MM-DD HH:MM in UTC.") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _items(text: Any) -> list[str]:
    return [line.strip() for line in str(text).splitlines() if line.strip()]


def _label(name: str) -> str:
    return LABELS.get(name, name.replace("_", " "))
