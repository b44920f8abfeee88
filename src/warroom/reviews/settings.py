"""Knobs of reviews and action items (``WARROOM_REVIEWS_*``); the review
deadlines per severity are data in ``rules/reviews.yaml``."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from warroom.config import WarroomSettings


class ReviewsSettings(WarroomSettings):
    """When action-item owners are reminded."""

    reviews_remind_before_hours: int = Field(default=24, ge=0)
    """Remind an open action item's owner this long before its due date (0: at the due date)."""
    reviews_overdue_every_hours: int = Field(default=24, ge=1)
    """Remind the owner of an overdue action item again this often, until it is done."""
    reviews_policy_file: Path | None = None
    """The review policy per severity (deadlines, whether closing needs a review,
    whether it may be waived) in the format of the shipped ``rules/reviews.yaml``,
    which is used when this is unset."""


def get() -> ReviewsSettings:
    return ReviewsSettings.current()
