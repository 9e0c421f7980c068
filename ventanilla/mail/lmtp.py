"""An LMTP listener (aiosmtpd) an MTA delivers support mail to (Postfix: `mailbox_transport =
lmtp:inet:127.0.0.1:8025`). The message is stored before the server answers 250; a message that
cannot be stored gets a 451 so that the MTA keeps it and retries."""

import logging

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from asgiref.sync import sync_to_async
from django.db import close_old_connections

from ventanilla.mail.intake import inbound_receive
from ventanilla.mail.models import InboundEmail

log = logging.getLogger(__name__)


def _receive(raw, recipients, peer):
    close_old_connections()
    try:
        return inbound_receive(
            raw, InboundEmail.Source.LMTP, detail=f"lmtp from {peer}", envelope_to=recipients
        )
    finally:
        close_old_connections()


class IntakeHandler:
    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        peer = session.peer[0] if session.peer else "?"
        try:
            await sync_to_async(_receive, thread_sensitive=True)(raw, envelope.rcpt_tos, peer)
        except Exception:
            log.exception("LMTP message could not be stored")
            reply = "451 4.3.0 Could not store the message, try again later"
        else:
            reply = "250 2.0.0 Stored"
        # LMTP answers once per accepted recipient
        return "\r\n".join([reply] * max(1, len(envelope.rcpt_tos)))


class LMTPController(Controller):
    def factory(self):
        return LMTP(self.handler, **self.SMTP_kwargs)


def lmtp_controller(host="127.0.0.1", port=8025):
    return LMTPController(IntakeHandler(), hostname=host, port=port, ready_timeout=30)
