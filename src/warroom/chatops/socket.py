"""Slack's Socket Mode: one node holds the websocket, chosen by a lease.

Socket Mode needs no public URL: warroom opens a websocket to Slack
(``apps.connections.open`` with the app-level ``xapp-`` token, called
through :class:`~warroom.chatops.slack.PolicyWebClient`, so it passes the
outbound destination policy) and Slack sends envelopes down it. Slack sends
each envelope to one connection; for one answer per request only the node
holding the ``chatops.slack.socket`` lease connects. Every :meth:`cycle` it
takes or renews the lease, connects when it has it and disconnects when it
lost it (a node that stopped renewing is overtaken once the lease expires).

An envelope is acknowledged at once (Slack wants it within 3 seconds) and
handled after, on an executor; what it has to say to the asker goes to the
request's ``response_url`` through the outbox.
"""

from __future__ import annotations

import os
import socket
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Protocol

import structlog
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.response import SocketModeResponse

from warroom import lease
from warroom.chatops import dispatch, settings
from warroom.chatops.slack import web_client
from warroom.db import Actor
from warroom.notify import service as outbox

if TYPE_CHECKING:
    from collections.abc import Callable

    from slack_sdk.socket_mode.request import SocketModeRequest

    from warroom.chatops.provider import Reply
    from warroom.clock import Clock
    from warroom.db import Database

log = structlog.get_logger("warroom.chatops.socket")
LEASE = "chatops.slack.socket"


class Connection(Protocol):
    """What the runner needs of slack_sdk's ``SocketModeClient``."""

    socket_mode_request_listeners: list[Any]

    def connect(self) -> None: ...
    def disconnect(self) -> None: ...
    def send_socket_mode_response(self, response: SocketModeResponse) -> None: ...


def slack_client() -> SocketModeClient:
    """The builtin (no extra dependency) client, its Web API calls policed."""
    token = settings.get().slack_app_token
    assert token is not None
    return SocketModeClient(app_token=token.get_secret_value(), web_client=web_client(),
                            auto_reconnect_enabled=True)


class SocketRunner:
    def __init__(self, database: Database, clock: Clock, *, name: str | None = None,
                 connect: Callable[[], Connection] = slack_client,
                 lease_seconds: float | None = None) -> None:
        self.database = database
        self.clock = clock
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.make = connect
        self.lease_seconds = lease_seconds or settings.get().slack_socket_lease_seconds
        self.client: Connection | None = None
        self.pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="slack-socket")
        self.pending: list[Future[None]] = []

    @property
    def connected(self) -> bool:
        return self.client is not None

    def cycle(self) -> bool:
        """Take or renew the lease, then connect or disconnect to match."""
        held = lease.acquire(self.database, self.clock, name=LEASE, holder=self.name,
                             seconds=self.lease_seconds)
        if held and self.client is None:
            client = self.make()
            client.socket_mode_request_listeners.append(self.on_request)
            client.connect()
            self.client = client
            log.info("slack socket connected", node=self.name)
        elif not held and self.client is not None:
            self._disconnect()
            log.info("slack socket lease lost; disconnected", node=self.name)
        return held

    def stop(self) -> None:
        """Disconnect and give the lease up, so another node takes over now."""
        if self.client is not None:
            self._disconnect()
            lease.release(self.database, self.clock, name=LEASE, holder=self.name)
        self.pool.shutdown(wait=True)

    def on_request(self, client: Connection, request: SocketModeRequest) -> None:
        """Acknowledge first, then work: the ack never waits for the handler."""
        client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id))
        if client is not self.client:
            return
        self.pending.append(self.pool.submit(self._process, request.type,
                                             dict(request.payload or {})))

    def _process(self, kind: str, payload: dict[str, Any]) -> None:
        try:
            reply = dispatch.handle(self.database, self.clock, kind, payload)
            if reply.text and kind == dispatch.SLASH_COMMANDS:
                self._respond(payload, reply)
        except Exception as failed:
            log.error("slack socket envelope failed", error=type(failed).__name__)

    def _respond(self, payload: dict[str, Any], reply: Reply) -> None:
        url = payload.get("response_url")
        if not url:
            return
        message: dict[str, Any] = {"text": reply.text, "response_type":
                                   "ephemeral" if reply.ephemeral else "in_channel"}
        if reply.blocks:
            message["blocks"] = reply.blocks
        user = str(payload.get("user_id", ""))
        with self.database.unit_of_work(Actor(name=f"slack {user}", kind="integration"),
                                        clock=self.clock) as uow:
            outbox.enqueue(uow, message=outbox.Outgoing(
                channel="slack", destination=str(url), kind="chat_reply",
                body=reply.text or "", payload=message, recipient=user))

    def _disconnect(self) -> None:
        client, self.client = self.client, None
        if client is not None:
            client.disconnect()
