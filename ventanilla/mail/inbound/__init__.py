"""Inbound email, step one: parse raw bytes into a ``ParsedEmail`` (see docs/email-parsing.md)."""

from .model import Address, Attachment, AutoFlags, ParsedEmail
from .parse import parse_email

__all__ = ["Address", "Attachment", "AutoFlags", "ParsedEmail", "parse_email"]
