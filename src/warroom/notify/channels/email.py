"""Email over SMTP (plain, STARTTLS or implicit TLS, with optional login)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from typing import TYPE_CHECKING

from warroom.notify.channels.base import DeliveryResult, Envelope

if TYPE_CHECKING:
    from warroom.config import Settings

# SMTP replies in the 5xx range mean "do not try again" (bad address, refused).
_PERMANENT = range(500, 600)


class EmailChannel:
    name = "email"

    def send(self, envelope: Envelope, settings: Settings) -> DeliveryResult:
        message = EmailMessage()
        message["From"] = settings.smtp_from
        message["To"] = envelope.destination
        message["Subject"] = envelope.subject or "warroom notification"
        message["Message-ID"] = make_msgid(idstring=envelope.key.replace(":", "."),
                                           domain="warroom")
        message["X-Warroom-Message"] = envelope.key
        for name, value in envelope.headers.items():
            message[name] = value
        message.set_content(envelope.body)
        html = (envelope.payload or {}).get("html")
        if html:
            message.add_alternative(html, subtype="html")
        calendar = (envelope.payload or {}).get("calendar")
        if calendar:  # an iCalendar invite (a review meeting)
            message.add_attachment(str(calendar).encode(), maintype="text", subtype="calendar",
                                   filename="invite.ics", params={"method": "REQUEST"})
        try:
            with _connect(settings) as smtp:
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as refused:
            code = next(iter(refused.recipients.values()))[0]
            return DeliveryResult(False, code, f"recipient refused: {refused.recipients}",
                                  permanent=code in _PERMANENT)
        except smtplib.SMTPResponseException as failed:
            return DeliveryResult(False, failed.smtp_code, f"SMTP {failed.smtp_code}: "
                                  f"{failed.smtp_error!r}", permanent=failed.smtp_code
                                  in _PERMANENT)
        except (OSError, smtplib.SMTPException) as failed:
            return DeliveryResult(False, None, f"{type(failed).__name__}: {failed}")
        return DeliveryResult(True, 250)


def _connect(settings: Settings) -> smtplib.SMTP:
    timeout = settings.smtp_timeout_seconds
    context = ssl.create_default_context()
    if settings.smtp_ssl:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port,
                                              timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout)
        if settings.smtp_starttls:
            smtp.starttls(context=context)
    if settings.smtp_username:
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
        smtp.login(settings.smtp_username, password)
    return smtp
