"""A local fake of the Slack Web API on loopback: it records every call,
checks the bot token, and answers as Slack does (``{"ok": true, ...}``),
including a ``429`` with ``Retry-After`` when told to."""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

TOKEN = "xoxb-test-token"


@dataclass
class Call:
    method: str
    authorization: str
    body: dict[str, Any]


@dataclass
class FakeSlack:
    server: ThreadingHTTPServer
    emails: dict[str, str] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    down: bool = False
    """Answer every call 503, as Slack in an outage."""
    rate_limit: dict[str, int] = field(default_factory=dict)
    """Method -> how many of its next calls answer 429 (Retry-After: 30)."""
    lock: threading.Lock = field(default_factory=threading.Lock)
    ts: itertools.count = field(default_factory=lambda: itertools.count(1))
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Channel id -> the channel as created (name, is_private, topic, pins,
    bookmarks, members, is_archived)."""
    taken: set[str] = field(default_factory=set)
    """Channel names that already exist in the workspace (``name_taken``)."""

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/api/"

    def of(self, method: str) -> list[Call]:
        with self.lock:
            return [call for call in self.calls if call.method == method]

    def _conversation(self, method: str, body: dict[str, Any]
                      ) -> tuple[int, dict[str, str], dict[str, Any]]:
        return _conversations(self, method, body)

    def answer(self, method: str, authorization: str, body: dict[str, Any]
               ) -> tuple[int, dict[str, str], dict[str, Any]]:
        with self.lock:
            self.calls.append(Call(method, authorization, body))
            if self.down:
                return 503, {}, {"ok": False, "error": "service_unavailable"}
            if self.rate_limit.get(method, 0) > 0:
                self.rate_limit[method] -= 1
                return 429, {"Retry-After": "30"}, {"ok": False, "error": "ratelimited"}
        if authorization != f"Bearer {TOKEN}":
            return 200, {}, {"ok": False, "error": "invalid_auth"}
        if method == "users.info":
            user = str(body.get("user", ""))
            if user not in self.emails:
                return 200, {}, {"ok": False, "error": "user_not_found"}
            return 200, {}, {"ok": True, "user": {"id": user, "profile": {
                "email": self.emails[user]}}}
        if body.get("channel") == "C_GONE":
            return 200, {}, {"ok": False, "error": "channel_not_found"}
        if method == "chat.postMessage":
            return 200, {}, {"ok": True, "channel": body.get("channel"),
                             "ts": f"1700000000.{next(self.ts):06d}", "message": {}}
        if method.startswith(("conversations.", "pins.", "bookmarks.")):
            return self._conversation(method, body)
        if method == "chat.update":
            return 200, {}, {"ok": True, "channel": body.get("channel"), "ts": body.get("ts")}
        return 200, {}, {"ok": False, "error": "unknown_method"}


def start() -> FakeSlack:
    fake: FakeSlack

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length") or 0))
            kind = self.headers.get("content-type", "")
            if kind.startswith("application/json"):
                body = json.loads(raw or b"{}")
            else:
                body = dict(parse_qsl(raw.decode()))
            path, _, query = self.path.partition("?")
            body.update(parse_qsl(query))
            method = path.rsplit("/", 1)[-1]
            status, headers, answer = fake.answer(
                method, self.headers.get("authorization", ""), body)
            data = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json; charset=utf-8")
            self.send_header("content-length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake = FakeSlack(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return fake


def _conversations(fake: FakeSlack, method: str, body: dict[str, Any]
                   ) -> tuple[int, dict[str, str], dict[str, Any]]:
    with fake.lock:
        if method == "conversations.create":
            name = str(body.get("name", ""))
            if name in fake.taken or any(c["name"] == name for c in fake.channels.values()):
                return 200, {}, {"ok": False, "error": "name_taken"}
            if not name or len(name) > 80 or not all((c.isalnum() and (c.islower() or
                                                                      c.isdigit()))
                                                     or c in "-_" for c in name):
                return 200, {}, {"ok": False, "error": "invalid_name_specials"}
            channel = {"id": f"C{len(fake.channels) + 100:07d}", "name": name,
                       "is_private": bool(body.get("is_private")), "topic": "",
                       "pins": [], "bookmarks": [], "members": [], "is_archived": False}
            fake.channels[channel["id"]] = channel
            return 200, {}, {"ok": True, "channel": {"id": channel["id"], "name": name,
                                                     "is_private": channel["is_private"]}}
        key = "channel_id" if method.startswith("bookmarks.") else "channel"
        channel = fake.channels.get(str(body.get(key, "")))
        if channel is None:
            return 200, {}, {"ok": False, "error": "channel_not_found"}
        if channel["is_archived"]:
            return 200, {}, {"ok": False, "error": "is_archived"}
        if method == "conversations.invite":
            channel["members"].extend(str(body.get("users", "")).split(","))
        elif method == "conversations.setTopic":
            channel["topic"] = body.get("topic", "")
        elif method == "conversations.archive":
            channel["is_archived"] = True
        elif method == "pins.add":
            channel["pins"].append(body.get("timestamp"))
        elif method == "bookmarks.add":
            channel["bookmarks"].append((body.get("title"), body.get("link")))
        else:
            return 200, {}, {"ok": False, "error": "unknown_method"}
        return 200, {}, {"ok": True, "channel": {"id": channel["id"]}}
