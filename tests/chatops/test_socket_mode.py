"""Slack's Socket Mode: envelopes as Slack sends them, replayed into the
runner's listener without a websocket; the ack carries the envelope id and
does not wait for the handler; one node of two answers, chosen by the
database lease, and the other takes over once the lease expires."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import pytest
from slack_sdk.socket_mode.request import SocketModeRequest

from warroom import lease
from warroom.chatops import dispatch, socket
from warroom.chatops.provider import Reply
from warroom.incidents import service as incidents
from warroom.notify import service as outbox

if TYPE_CHECKING:
    from slack_sdk.socket_mode.response import SocketModeResponse


class FakeConnection:
    """Stands in for slack_sdk's SocketModeClient: records acks and state."""

    def __init__(self) -> None:
        self.socket_mode_request_listeners: list[Any] = []
        self.acks: list[SocketModeResponse] = []
        self.connected = False

    def connect(self) -> None:
        self.connected = True

    def disconnect(self) -> None:
        self.connected = False

    def send_socket_mode_response(self, response: SocketModeResponse) -> None:
        self.acks.append(response)

    def deliver(self, envelope: dict[str, Any]) -> None:
        request = SocketModeRequest.from_dict(envelope)
        assert request is not None
        for listener in self.socket_mode_request_listeners:
            listener(self, request)


def slash(envelope_id: str, text: str, user: str = "U_ADMIN") -> dict[str, Any]:
    return {"envelope_id": envelope_id, "type": "slash_commands", "accepts_response_payload":
            True, "payload": {"command": "/wr", "text": text, "user_id": user,
                              "user_name": user.lower(), "channel_id": "C_INCIDENTS",
                              "team_id": "T1", "response_url": "https://hooks.slack.com/x"}}


def node(database, clock, name: str) -> tuple[socket.SocketRunner, list[FakeConnection]]:
    made: list[FakeConnection] = []

    def connect() -> FakeConnection:
        made.append(FakeConnection())
        return made[-1]

    return socket.SocketRunner(database, clock, name=name, connect=connect,
                               lease_seconds=30), made


def settle(*runners: socket.SocketRunner) -> None:
    for runner in runners:
        for pending in runner.pending:
            pending.result(timeout=10)
        runner.pending.clear()


def replies(database) -> list[str]:
    with database.read() as session:
        return [m.body for m in outbox.get_all(session, kind="chat_reply")]


def test_an_envelope_is_acked_with_its_id_and_the_command_runs(database, clock, slack,
                                                                people) -> None:
    runner, made = node(database, clock, "a")
    assert runner.cycle()
    connection = made[0]
    assert connection.connected
    connection.deliver(slash("env-1", "declare sev2 service_outage Checkout is down"))
    settle(runner)  # envelopes run concurrently: let the declaration commit first
    connection.deliver(slash("env-2", "status"))
    settle(runner)
    assert [ack.envelope_id for ack in connection.acks] == ["env-1", "env-2"]
    with database.read() as session:
        assert incidents.get_by_ref(session, ref="INC-1").title == "Checkout is down"
    assert any("INC-1" in body for body in replies(database))  # status, to response_url
    runner.stop()


def test_a_slow_handler_does_not_delay_the_ack(database, clock, monkeypatch) -> None:
    release = threading.Event()

    def slow(*args: Any) -> Reply:
        release.wait(10)
        return Reply(None)

    monkeypatch.setattr(dispatch, "handle", slow)
    runner, made = node(database, clock, "a")
    runner.cycle()
    made[0].deliver(slash("env-slow", "status"))
    assert [ack.envelope_id for ack in made[0].acks] == ["env-slow"]
    assert not runner.pending[0].done()  # acked while the handler still works
    release.set()
    settle(runner)
    runner.stop()


def test_two_nodes_answer_once_and_the_other_takes_over_after_expiry(
        database, clock, slack, people) -> None:
    first, first_made = node(database, clock, "node-1")
    second, second_made = node(database, clock, "node-2")
    assert first.cycle()
    assert not second.cycle()
    assert second_made == []  # only the holder connects

    first_made[0].deliver(slash("env-1", "status"))
    settle(first, second)
    assert len(replies(database)) == 1

    clock.advance(seconds=20)
    assert not second.cycle()  # not yet expired
    clock.advance(seconds=11)  # node-1 stopped renewing; its lease ran out
    assert second.cycle()
    assert not first.cycle()  # node-1 comes back, finds it lost, disconnects
    assert not first_made[0].connected and first.client is None
    second_made[0].deliver(slash("env-2", "status"))
    settle(first, second)
    assert len(replies(database)) == 2
    assert second_made[0].acks[0].envelope_id == "env-2"
    second.stop()
    first.stop()


def test_a_lease_is_renewed_by_its_holder_and_released_at_once(database, clock) -> None:
    assert lease.acquire(database, clock, name="x", holder="a", seconds=10)
    clock.advance(seconds=8)
    assert lease.renew(database, clock, name="x", holder="a", seconds=10)
    clock.advance(seconds=8)  # 16 s after taking, but renewed at 8
    assert not lease.acquire(database, clock, name="x", holder="b", seconds=10)
    lease.release(database, clock, name="x", holder="a")
    assert lease.acquire(database, clock, name="x", holder="b", seconds=10)


@pytest.mark.parametrize("kind", ["events_api", "hello"])
def test_other_envelopes_are_acked_and_left(database, clock, kind) -> None:
    assert dispatch.handle(database, clock, kind, {}).text is None
