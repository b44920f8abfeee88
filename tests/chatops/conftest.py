"""Fixtures for ChatOps: the fake Slack Web API, the app's Slack settings
pointed at it, and signed Slack requests."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import pytest

from tests.chatops import fakeslack
from warroom import config
from warroom.worker import Worker

if TYPE_CHECKING:
    from collections.abc import Iterator

    from fastapi.testclient import TestClient

    from warroom.clock import FrozenClock

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
USERS = {"U_ADMIN": "admin@example.com", "U_COMMANDER": "commander@example.com",
         "U_RESPONDER": "Responder@Example.com", "U_VIEWER": "viewer@example.com",
         "U_STRANGER": "stranger@example.com"}


@pytest.fixture
def slack(settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[fakeslack.FakeSlack]:
    fake = fakeslack.start()
    fake.emails.update(USERS)
    monkeypatch.setenv("WARROOM_SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("WARROOM_SLACK_BOT_TOKEN", fakeslack.TOKEN)
    monkeypatch.setenv("WARROOM_SLACK_API_URL", fake.url)
    config.reset()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()
    config.reset()


def sign(body: bytes, timestamp: int, secret: str = SIGNING_SECRET) -> dict[str, str]:
    base = f"v0:{timestamp}:".encode() + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}",
            "Content-Type": "application/x-www-form-urlencoded"}


@dataclass
class Chat:
    """Send ``/wr`` commands as a Slack user, signed with the warroom clock's now."""

    client: TestClient
    clock: FrozenClock

    def command(self, user: str, text: str, channel: str = "C_INCIDENTS"):
        body = urlencode({"command": "/wr", "text": text, "user_id": user,
                          "user_name": user.lower(), "channel_id": channel,
                          "team_id": "T1", "response_url": ""}).encode()
        return self.client.post("/api/v1/chatops/slack/commands", content=body,
                                headers=sign(body, int(self.clock.now().timestamp())))


@pytest.fixture
def chat(client, clock, slack, people) -> Chat:
    return Chat(client, clock)


@pytest.fixture
def worker(database, clock, slack) -> Iterator[Worker]:
    started = Worker(database, config.get_settings(), clock, name="test-worker")
    yield started
    started.close()
