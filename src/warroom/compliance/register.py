"""The Art. 33(5) register for a year, as CSV or JSON, with the audit head.

The export names the audit chain head at export time, so a copy handed to an
authority can later be matched against ``warroom audit verify``.
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING, Any

import orjson

from warroom.audit import service as audit
from warroom.compliance import service
from warroom.errors import Invalid, one_of

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.orm import Session

    from warroom.compliance.models import Breach

FORMATS = ("csv", "json")
COLUMNS = ("ref", "state", "incident", "is_drill", "title", "role", "other_party",
           "other_party_notified_at", "aware_at", "awareness_basis", "decided_by",
           "classified_at", "nature", "subject_categories", "subjects_min", "subjects_max",
           "data_categories", "special_categories", "records_min", "records_max",
           "likely_consequences", "measures_taken", "measures_proposed", "risk",
           "risk_rationale", "lead_authority", "competent_authority", "cross_border",
           "art34_exception", "art34_rationale", "reasons_for_delay", "regimes",
           "dpo_notified_at", "dpo_acknowledged_at", "submissions", "opened_at", "closed_at")


def rows(session: Session, *, year: int) -> list[dict[str, Any]]:
    return [_row(session, breach) for breach in service.get_all(session, year=year)]


def export(session: Session, *, year: int, fmt: str, now: datetime) -> tuple[str, dict[str, Any]]:
    """(the text, the audit head it was exported at)."""
    if fmt not in FORMATS:
        raise Invalid(one_of(fmt, FORMATS, "format"))
    head = audit.head(session)
    found = rows(session, year=year)
    if fmt == "json":
        document = {"year": year, "exported_at": now, "audit_head": head, "breaches": found}
        return orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n", head
    out = io.StringIO()
    out.write(f"# warroom breach register {year}; exported {now.isoformat()}; audit head seq "
              f"{head['seq']} hash {head['hash']}\n")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in found:
        writer.writerow({key: _cell(row[key]) for key in COLUMNS})
    return out.getvalue(), head


def _row(session: Session, breach: Breach) -> dict[str, Any]:
    data = {name: getattr(breach, name) for name in COLUMNS
            if name not in ("ref", "incident", "submissions")}
    data["ref"] = breach.ref
    data["incident"] = f"INC-{breach.incident_id}" if breach.incident_id else None
    data["submissions"] = [
        {"regime": s.regime, "obligation": s.obligation, "recipient": s.recipient,
         "channel": s.channel, "at": s.submitted_at, "reference": s.reference, "late": s.late,
         "sha256": s.content_sha256} for s in service.submissions(session, breach=breach)]
    return {key: data[key] for key in COLUMNS}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return "; ".join(f"{s['regime']} {s['obligation']} {s['at']:%Y-%m-%d %H:%M} "
                             f"{s['reference'] or ''}".strip() for s in value)
        return "; ".join(str(v) for v in value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
