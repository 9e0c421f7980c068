"""The MIME tree as a flat list of leaves, in the order a reader meets them.

``message/*`` parts (embedded messages, delivery reports) are leaves: they are attachments, never
walked into. Each leaf knows its raw bytes when the boundaries in the original could be matched
with the stdlib's tree, so that embedded messages are kept byte for byte.
"""

import re
from dataclasses import dataclass
from email.message import Message
from email.utils import collapse_rfc2231_value

from .charsets import decode_bytes
from .headers import decode_8bit, decode_header
from .raw import split_head_body, split_multipart
from .transfer import decode_transfer

MAX_DEPTH = 40
_TYPE_JUNK = re.compile(r"[^a-z0-9!#$&^_.+/-]")


@dataclass
class Leaf:
    part: Message
    raw: bytes | None  # the entity's original bytes (headers + body) when known
    index: int  # position among all leaves, from 0
    hint: tuple  # charsets to try for raw 8-bit header bytes (own first, then the message's)

    @property
    def content_type(self):
        ctype = _TYPE_JUNK.sub("", _safe(self.part.get_content_type, "text/plain").lower())
        if ctype.count("/") != 1 or ctype.startswith("/") or ctype.endswith("/"):
            return "application/octet-stream"
        if ctype.startswith("multipart/"):
            return "text/plain"  # a multipart whose boundary never came: its text is all there is
        return ctype

    @property
    def maintype(self):
        return self.content_type.split("/", 1)[0]

    @property
    def subtype(self):
        return self.content_type.split("/", 1)[-1]

    @property
    def disposition(self):
        value = _safe(self.part.get_content_disposition, None)
        return (value or "").lower()

    @property
    def charset(self):
        return param(self.part, "charset")

    @property
    def content_id(self):
        value = self.part.get("Content-ID")
        if value is None:
            return ""
        return decode_8bit(value).strip().strip("<>").strip()

    @property
    def declared_filename(self):
        for name, header in (("filename", "content-disposition"), ("name", "content-type")):
            value = param(self.part, name, header, self.hint)
            if value and value.strip():
                return value.strip()
        return ""


def _safe(function, default):
    try:
        return function()
    except Exception:  # a header the stdlib cannot read counts as absent
        return default


def param(part, name, header="content-type", hint=None):
    """A MIME parameter as text: RFC 2231 and RFC 2047 decoded, raw 8-bit bytes read."""
    try:
        value = part.get_param(name, header=header)
    except Exception:
        return None
    if value is None:
        return None
    if isinstance(value, tuple):
        value = _rfc2231(value, hint)
    return decode_header(str(value), hint)


def _rfc2231(value, hint):
    charset, _language, text = value
    try:
        data = text.encode("raw-unicode-escape")
    except UnicodeError:
        return collapse_rfc2231_value(value)
    return decode_bytes(data, charset, hint).text


def walk_leaves(message, raw, defects, hint=()):
    """All leaves of ``message`` depth-first, with raw bytes where they can be matched."""
    leaves = []
    _walk(message, raw, 0, leaves, hint, defects)
    return leaves


def _walk(part, raw, depth, leaves, hint, defects):
    children = _children(part)
    if children is None or depth >= MAX_DEPTH:
        if children is not None:
            defects.append(f"mime-too-deep: nesting cut at depth {MAX_DEPTH}")
        own = param(part, "charset")
        hints = (own, *hint) if own else tuple(hint)
        leaves.append(Leaf(part=part, raw=raw, index=len(leaves), hint=hints))
        return
    raw_children = split_multipart(raw, _safe(part.get_boundary, None))
    if raw_children is None or len(raw_children) != len(children):
        if raw is not None:
            defects.append("raw-boundaries: parts could not be matched with the original bytes")
        raw_children = [None] * len(children)
    for child, child_raw in zip(children, raw_children, strict=True):
        _walk(child, child_raw, depth + 1, leaves, hint, defects)


def _children(part):
    """Sub-parts of a multipart, or None for a leaf (message/* included)."""
    if _safe(part.get_content_maintype, "text").lower() != "multipart":
        return None
    payload = part.get_payload()
    if not isinstance(payload, list):
        return None
    return [child for child in payload if isinstance(child, Message)]


def leaf_bytes(leaf):
    """The leaf's content with its transfer encoding removed (raw slice for message/*)."""
    if leaf.maintype == "message":
        return _message_bytes(leaf)
    # The stored payload, not get_payload(): without decode=True the stdlib re-decodes 8-bit text
    # with the declared charset and "replace", which would lose the bytes charsets.py reads.
    payload = leaf.part._payload
    if not isinstance(payload, str):
        return b""
    data = payload.encode("utf-8", "surrogateescape")
    return decode_transfer(data, decode_8bit(leaf.part.get("Content-Transfer-Encoding") or ""))


def _message_bytes(leaf):
    if leaf.raw is not None:
        _head, body = split_head_body(leaf.raw)
        cte = decode_8bit(leaf.part.get("Content-Transfer-Encoding") or "")
        return decode_transfer(body, cte)
    payload = leaf.part.get_payload()
    if isinstance(payload, list):
        return b"".join(_serialise(item) for item in payload)
    if isinstance(payload, str):
        return payload.encode("utf-8", "surrogateescape")
    return b""


def _serialise(item):
    try:
        return item.as_bytes()
    except Exception:
        return b""
