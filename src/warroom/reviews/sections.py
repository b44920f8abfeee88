"""The review document's editable sections: seed 000 §8.2's post-mortem
template merged with seed 002's incident report template. The facts (ids,
times, durations, pages, messages, steps) are not sections: they are filled in
from the record when the document is rendered."""

from __future__ import annotations

SECTIONS: tuple[tuple[str, str, str], ...] = (
    ("overview", "Overview", "What happened, in two or three sentences."),
    ("impact", "Impact",
     "Users affected, business impact, systems affected, SLA violations."),
    ("timeline_notes", "Timeline notes",
     "Anything the recorded timeline below does not say (what people knew when)."),
    ("root_cause_primary", "Root cause: primary cause", "The underlying cause."),
    ("root_cause_contributing", "Root cause: contributing factors",
     "What made it possible or worse."),
    ("root_cause_detection", "Root cause: detection", "How it was found, and how fast."),
    ("root_cause_response", "Root cause: response", "How the response went."),
    ("went_well", "What went well", ""),
    ("improve", "What could be improved", ""),
    ("lessons", "Lessons learned", "Including procedure updates to playbooks."),
    ("follow_up_process", "Follow-up: process", ""),
    ("follow_up_technical", "Follow-up: technical", ""),
    ("follow_up_training", "Follow-up: training", ""),
)
NAMES = tuple(name for name, _, _ in SECTIONS)
TITLES = {name: title for name, title, _ in SECTIONS}
MAX_SECTION = 100_000
