"""What the API and the CLI show of a breach record (personal data: only for
callers with breach:read)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from warroom.compliance import clocks, service

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from warroom.compliance.models import Breach, BreachClock, Submission


def breach_view(session: Session, breach: Breach) -> dict[str, Any]:
    return {**service.snapshot(breach),
            "incident": f"INC-{breach.incident_id}" if breach.incident_id else None,
            "source": breach.source, "opened_at": breach.opened_at,
            "opened_by": breach.opened_by, "closed_at": breach.closed_at,
            "dpo_notified_at": breach.dpo_notified_at,
            "dpo_acknowledged_at": breach.dpo_acknowledged_at,
            "next_states": list(service.NEXT[breach.state]),
            "clocks": [clock_view(c, breach) for c in clocks.clocks_of(session,
                                                                        breach_id=breach.id)],
            "submissions": [submission_view(s) for s in service.submissions(session,
                                                                            breach=breach)]}


def clock_view(clock: BreachClock, breach: Breach) -> dict[str, Any]:
    return {"breach": breach.ref, "regime": clock.regime, "obligation": clock.kind,
            "id": clock.obligation, "title": clock.title, "state": clock.state,
            "due_at": clock.due_at, "rule": clock.rule, "source": clock.source,
            "next_reminder_at": clock.next_point_at, "reminders": clock.reminders,
            "overdue_at": clock.overdue_at, "submitted_at": clock.submitted_at,
            "is_drill": breach.is_drill}


def submission_view(row: Submission) -> dict[str, Any]:
    return {"id": row.id, "regime": row.regime, "obligation": row.obligation,
            "recipient": row.recipient, "channel": row.channel, "at": row.submitted_at,
            "by": row.submitted_by, "reference": row.reference, "due_at": row.due_at,
            "late": row.late, "reasons_for_delay": row.reasons_for_delay,
            "is_drill": row.is_drill, "content_sha256": row.content_sha256}
