"""bytes in → ``ParsedEmail`` out. Pure (no database, no settings), and it never raises on what a
message contains: every problem is recorded in ``ParsedEmail.defects`` instead.

Steps: repair the raw header block (``raw``), parse with the stdlib ``email`` package under a
``compat32`` policy that hands back raw header strings, read the headers (``headers``,
``addresses``), flatten the MIME tree (``mime``), choose the bodies (``bodies``), collect the
attachments (``attachments``) and mark machine-written mail (``flags``).
"""

from datetime import UTC
from email.parser import BytesParser
from email.policy import Compat32
from email.utils import parsedate_to_datetime

from .addresses import parse_addresses
from .attachments import collect_attachments
from .bodies import Bodies, choose_bodies
from .charsets import clean_label, codec_for
from .flags import detect_flags
from .headers import decode_8bit, decode_header, decode_structured, message_ids
from .mime import param, walk_leaves
from .model import Address, AutoFlags, ParsedEmail
from .raw import clean_message_bytes

SENDER_HEADERS = ("From", "Reply-To", "Return-Path", "Sender")


class _RawHeaders(Compat32):
    """compat32, except that header values come back exactly as stored (8-bit bytes as
    surrogate escapes) instead of as ``Header`` objects: ``headers`` decodes them."""

    def header_fetch_parse(self, name, value):
        return value


RAW_POLICY = _RawHeaders()


def parse_email(raw):
    """Parse one message. Always returns a ``ParsedEmail``."""
    raw = bytes(raw or b"")
    cleaned, defects = clean_message_bytes(raw)
    message = _stdlib_parse(cleaned, defects)
    hint = charset_hint(message)
    fields = _guarded(
        defects, "headers", lambda: _header_fields(message, hint, defects), {"sender": None}
    )
    leaves = _guarded(defects, "mime", lambda: walk_leaves(message, cleaned, defects, hint), [])
    single = not message.is_multipart()
    bodies = _guarded(defects, "bodies", lambda: choose_bodies(leaves, single), Bodies())
    attachments = _guarded(defects, "attachments", lambda: collect_attachments(leaves, bodies), ())
    flags = _guarded(defects, "flags", lambda: _flags(message, leaves, fields), AutoFlags())
    defects.extend(bodies.defects)
    defects.extend(_stdlib_defects(message, leaves))
    return ParsedEmail(
        text_body=bodies.text,
        html_body=bodies.html,
        attachments=attachments,
        flags=flags,
        defects=tuple(dict.fromkeys(defects)),
        **fields,
    )


def _stdlib_parse(data, defects):
    """The stdlib's tree; on a message it cannot build (absurd nesting), headers and raw body."""
    try:
        return BytesParser(policy=RAW_POLICY).parsebytes(data)
    except Exception as error:  # RecursionError on thousands of nested parts, and the like
        defects.append(f"mime: unparseable structure ({type(error).__name__}), body kept as text")
    message = BytesParser(policy=RAW_POLICY).parsebytes(data, headersonly=True)
    for name in ("Content-Type", "Content-Transfer-Encoding"):
        del message[name]
    return message


def charset_hint(message):
    """Every charset declared anywhere in the message (embedded messages included) that says
    something about 8-bit bytes: used to read raw 8-bit header bytes that are not UTF-8."""
    try:
        parts = list(message.walk())
    except Exception:  # a tree the stdlib cannot walk: no hint
        parts = [message]
    labels = (clean_label(param(part, "charset")) for part in parts)
    useful = (label for label in labels if codec_for(label) not in (None, "ascii", "utf-8"))
    return tuple(dict.fromkeys(useful))


def _guarded(defects, stage, step, default):
    """Run one step; an unexpected failure is recorded instead of losing the whole message."""
    try:
        return step()
    except Exception as error:  # the message is still kept, with what the other steps read
        detail = str(error).encode("utf-8", "backslashreplace").decode("utf-8")
        defects.append(f"internal-error in {stage}: {type(error).__name__}: {detail}")
        return default


def _header_fields(message, hint, defects):
    headers = tuple((name, decode_header(value, hint)) for name, value in message.raw_items())
    first = _first_raw(message)
    from_value = _best_from(message)
    sender, source = choose_sender(message, hint)
    if source not in (None, "From"):
        defects.append(f"sender: no address in From, taken from {source}")
    return {
        "sender": sender,
        "from_addresses": _addresses(from_value, hint),
        "reply_to": _addresses(first("Reply-To"), hint),
        "to": _addresses(_joined(message, "To"), hint),
        "cc": _addresses(_joined(message, "Cc"), hint),
        "from_header": decode_header(from_value, hint) or "",
        "to_header": decode_header(_joined(message, "To"), hint) or "",
        "cc_header": decode_header(_joined(message, "Cc"), hint) or "",
        "subject": decode_header(first("Subject"), hint) or "",
        "date": _date(first("Date"), defects),
        "message_id": next(iter(message_ids(first("Message-ID"))), ""),
        "in_reply_to": message_ids(first("In-Reply-To")),
        "references": message_ids(first("References")),
        "headers": headers,
    }


def _first_raw(message):
    def first(name):
        value = message.get(name)
        return None if value is None else str(value)

    return first


def _all_raw(message, name):
    return [str(value) for value in message.get_all(name) or [] if str(value).strip()]


def _best_from(message):
    """The From header; when it is repeated, the first one that holds an address."""
    values = _all_raw(message, "From")
    with_at = [value for value in values if "@" in value]
    return (with_at or values or [None])[0]


def _joined(message, name):
    """Every occurrence of an address header, as one list (some mailers repeat To:)."""
    values = _all_raw(message, name)
    return ", ".join(values) if values else None


def _addresses(value, hint):
    return parse_addresses(decode_structured(value, hint)) if value else ()


def choose_sender(message, hint):
    """The author and the header it came from: the first address (with an ``@``) in From, else
    Reply-To, Return-Path, Sender; with no address anywhere, whatever the first of them says."""
    values = [(name, value) for name in SENDER_HEADERS for value in _all_raw(message, name)]
    for name, value in values:
        if "@" in value:
            found = [a for a in _addresses(value, hint) if "@" in a.email]
            if found:
                return found[0], name
    if not values:
        return None, None
    name, value = values[0]
    found = _addresses(value, hint)
    return (found[0] if found else Address(decode_header(value, hint).strip(), "")), name


def _date(value, defects):
    if not value:
        return None
    try:
        moment = parsedate_to_datetime(decode_8bit(value).strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        defects.append("date: unreadable Date header")
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _flags(message, leaves, fields):
    report_type = (param(message, "report-type") or "").strip().lower()
    top_type = message.get_content_type().lower()
    leaf_types = {leaf.content_type for leaf in leaves}
    return detect_flags(
        fields.get("headers", ()), top_type, report_type, leaf_types, fields.get("sender")
    )


def _stdlib_defects(message, leaves):
    found = [type(defect).__name__ for defect in getattr(message, "defects", [])]
    for leaf in leaves:
        found.extend(type(defect).__name__ for defect in getattr(leaf.part, "defects", []))
    return [f"mime: {name}" for name in dict.fromkeys(found)]
