"""The internal form of one received message: what every later step (route, thread, services)
reads. Immutable; built only by ``parse.parse_email``."""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Address:
    name: str
    email: str

    def __str__(self):
        if self.name:
            return f"{self.name} <{self.email}>"
        return self.email


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str  # lower-case type/subtype as declared (application/octet-stream if none)
    data: bytes  # transfer encoding removed; never transcoded
    content_id: str = ""  # without angle brackets
    inline: bool = False  # shown inside the body (cid: image, inline disposition)
    is_message: bool = False  # an embedded message (message/rfc822 …), kept raw as .eml

    @property
    def size(self):
        return len(self.data)


@dataclass(frozen=True)
class AutoFlags:
    """Why a message must never open or reopen a case by itself."""

    auto_reply: bool = False  # out-of-office, vacation and other automatic answers
    bounce: bool = False  # delivery status notifications, mailer daemons
    bulk: bool = False  # Precedence bulk/junk, newsletters
    mailing_list: bool = False  # List-Id and friends
    reasons: tuple[str, ...] = ()  # "Auto-Submitted: auto-replied", …

    @property
    def automated(self):
        return self.auto_reply or self.bounce or self.bulk or self.mailing_list


@dataclass(frozen=True)
class ParsedEmail:
    sender: Address | None  # who wrote it: From, else Reply-To, Return-Path, Sender
    from_addresses: tuple[Address, ...] = ()
    reply_to: tuple[Address, ...] = ()
    to: tuple[Address, ...] = ()
    cc: tuple[Address, ...] = ()
    from_header: str = ""  # decoded header text as written
    to_header: str = ""
    cc_header: str = ""
    subject: str = ""
    date: datetime | None = None  # timezone-aware (UTC when the header gave no zone)
    message_id: str = ""  # without angle brackets
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    text_body: str = ""  # plain text, LF line endings; derived from the HTML when only HTML came
    html_body: str = ""  # sanitised HTML ("" when the message had none and no inline images)
    attachments: tuple[Attachment, ...] = ()
    flags: AutoFlags = field(default_factory=AutoFlags)
    headers: tuple[tuple[str, str], ...] = ()  # top-level headers, decoded, in order
    defects: tuple[str, ...] = ()  # what was wrong with the message and how it was read

    @property
    def body_format(self):
        return "text/html" if self.html_body else "text/plain"

    def header(self, name, default=""):
        """The first top-level header called ``name`` (case-insensitive), decoded."""
        wanted = name.lower()
        for key, value in self.headers:
            if key.lower() == wanted:
                return value
        return default
