"""Points where other domains follow message delivery."""

from __future__ import annotations

from warroom.incidents.hooks import Hook

# listener(uow, message) -- after a message's last failed attempt.
dead_lettered = Hook("outbox.dead_lettered")
# listener(uow, message) -- after a message was delivered.
delivered = Hook("outbox.delivered")

# Functions (session, user) -> list[PersonRoute] telling how to reach a person.
# The on-call domain registers one that reads contact methods; when none answers,
# a person is reached by the email address on their user record.
person_routes: list = []
