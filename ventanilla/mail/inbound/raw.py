"""Work on the raw bytes: repair the header block before the stdlib reads it, and cut parts out
of the original bytes (``message/*`` attachments are kept exactly as sent, not re-serialised).

Repairs, each recorded as a defect:

* an mbox ``From `` line, and junk lines before the first header (``---- Original message ----``),
  are dropped when a real header block follows;
* inside the header block, a line that is neither a header nor a continuation (an unfolded
  continuation, such as a long base64 token) is folded into the header before it, as long as more
  headers follow: otherwise the stdlib would start the body there and lose every later header.
"""

import re

HEADER_LINE = re.compile(rb"^[!-9;-~]+[ \t]*:")
KEY_HEADERS = {
    b"from",
    b"to",
    b"subject",
    b"date",
    b"message-id",
    b"received",
    b"return-path",
    b"mime-version",
    b"content-type",
}
MAX_JUNK_LINES = 20
HEAD_SCAN_BYTES = 512 * 1024


def _is_blank(line):
    return not line.strip(b"\r\n")


def _is_header(line):
    return bool(HEADER_LINE.match(line))


def _is_continuation(line):
    return line[:1] in (b" ", b"\t") and not _is_blank(line)


def _head_lines(raw):
    """Lines of the first part of the message (enough to hold any header block)."""
    return raw[:HEAD_SCAN_BYTES].splitlines(keepends=True)


def _block_has_key_header(lines, start):
    for line in lines[start:]:
        if _is_blank(line):
            return False
        name = line.split(b":", 1)[0].strip().lower()
        if _is_header(line) and name in KEY_HEADERS:
            return True
    return False


def _first_header_index(lines):
    """Index of the first line of the real header block, skipping an mbox line and junk."""
    for index, line in enumerate(lines[: MAX_JUNK_LINES + 1]):
        if line.startswith(b"From ") and index == 0:
            continue
        if _is_header(line) and _block_has_key_header(lines, index):
            return index
        if _is_header(line) and index == 0:
            return 0
    return 0


def _header_end(lines, start):
    for index in range(start, len(lines)):
        if _is_blank(lines[index]):
            return index
    return len(lines)


def _repair_block(lines, start, end, defects):
    """Fold stray non-header lines into the previous header while more headers follow."""
    fixed = []
    last_header = max((i for i in range(start, end) if _is_header(lines[i])), default=start)
    for index in range(start, end):
        line = lines[index]
        stray = not _is_header(line) and not _is_continuation(line)
        if start < index < last_header and stray:
            line = b" " + line
            defects.append("header-repair: unfolded line inside the header block")
        fixed.append(line)
    return fixed


def clean_message_bytes(raw):
    """Return (bytes for the stdlib parser, defects)."""
    defects = []
    lines = _head_lines(raw)
    if not lines:
        return raw, defects
    start = _first_header_index(lines)
    if start:
        skipped = lines[:start]
        if not (len(skipped) == 1 and skipped[0].startswith(b"From ")):
            defects.append(f"junk-before-headers: {start} line(s) skipped")
    end = _header_end(lines, start)
    fixed = _repair_block(lines, start, end, defects)
    if start == 0 and fixed == lines[start:end]:
        return raw, _unique(defects)
    consumed = sum(len(line) for line in lines[:end])
    return b"".join(fixed) + raw[consumed:], _unique(defects)


def _unique(items):
    return list(dict.fromkeys(items))


# --- cutting parts out of the raw bytes --------------------------------------------------------

_BLANK = re.compile(rb"\r?\n\r?\n|\r\r")


def split_head_body(raw):
    """(head, body) of one entity; the blank line belongs to neither."""
    if raw[:1] == b"\n":
        return b"", raw[1:]
    if raw[:2] == b"\r\n":
        return b"", raw[2:]
    found = _BLANK.search(raw)
    if not found:
        return raw, b""
    return raw[: found.start()], raw[found.end() :]


def split_multipart(raw, boundary):
    """The raw entities between the boundary lines of a multipart entity, or None."""
    if raw is None or not boundary:
        return None
    _head, body = split_head_body(raw)
    token = re.escape(boundary.encode("utf-8", "surrogateescape"))
    marker = re.compile(rb"^--" + token + rb"(--)?[ \t]*\r?$", re.MULTILINE)
    parts, start = [], None
    for match in marker.finditer(body):
        if start is not None:
            parts.append(_strip_last_eol(body[start : match.start()]))
        if match.group(1):
            return parts
        start = _next_line(body, match.end())
    if start is not None:
        parts.append(body[start:])
    return parts


def _strip_last_eol(chunk):
    if chunk.endswith(b"\r\n"):
        return chunk[:-2]
    if chunk.endswith(b"\n"):
        return chunk[:-1]
    return chunk


def _next_line(body, position):
    newline = body.find(b"\n", position)
    return len(body) if newline < 0 else newline + 1
