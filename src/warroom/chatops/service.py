"""Handle one chat invocation: who is asking, then the command.

The HTTP routes (``api``) verify the request and call :func:`command` or
:func:`interaction`; nothing here knows about HTTP, so a Socket Mode
listener can hand its envelopes to the same functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from warroom.chatops import commands, identity
from warroom.chatops.provider import Reply
from warroom.db import Actor
from warroom.notify import service as outbox

if TYPE_CHECKING:
    from warroom.chatops.provider import ChatProvider, Invocation
    from warroom.clock import Clock
    from warroom.db import Database


def command(database: Database, clock: Clock, provider: ChatProvider,
            invocation: Invocation) -> Reply:
    person = identity.resolve(database, clock, provider, invocation.user_id)
    return commands.run(database, clock, provider, person, invocation)


def interaction(database: Database, clock: Clock, provider: ChatProvider,
                invocation: Invocation) -> Reply:
    """A button press runs its verb like a command; what it has to say to the
    presser (a refusal) goes back through the interaction's response URL, by
    the outbox, as Slack ignores the body of an interaction's answer."""
    verb = invocation.text.split()[0] if invocation.text.split() else ""
    if verb not in commands.VERBS or verb == "open":
        return Reply(None)
    reply = command(database, clock, provider, invocation)
    if reply.text and invocation.response_url:
        with database.unit_of_work(Actor(name=f"{provider.name} {invocation.user_id}",
                                         kind="integration"), clock=clock) as uow:
            outbox.enqueue(uow, message=outbox.Outgoing(
                channel="slack", destination=invocation.response_url, kind="chat_reply",
                body=reply.text, payload={"text": reply.text, "response_type": "ephemeral",
                                          "replace_original": False},
                recipient=invocation.user_id))
    return Reply(None)
