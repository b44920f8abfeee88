"""A real SMTP server (aiosmtpd) on loopback that keeps what it receives."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from typing import TYPE_CHECKING, Any

from aiosmtpd.controller import Controller

from tests.support.receivers import free_port

if TYPE_CHECKING:
    from email.message import EmailMessage


@dataclass
class Mailbox:
    controller: Controller
    messages: list[EmailMessage] = field(default_factory=list)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    @property
    def port(self) -> int:
        return self.controller.port

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.messages) >= count, timeout=timeout)
        return list(self.messages)

    def close(self) -> None:
        self.controller.stop()


class _Handler:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.mailbox.arrived:
            self.mailbox.messages.append(message)  # type: ignore[arg-type]
            self.mailbox.arrived.notify_all()
        return "250 OK"


def start_mailbox() -> Mailbox:
    mailbox = Mailbox(controller=None)  # type: ignore[arg-type]
    controller = Controller(_Handler(mailbox), hostname="127.0.0.1", port=free_port())
    mailbox.controller = controller
    controller.start()
    return mailbox
