"""Header values: raw 8-bit bytes, RFC 2047 encoded words, and the message's identifiers.

Headers are read from the stdlib parser in its ``compat32`` form (the raw string, with any
8-bit byte kept as a surrogate escape), so that the decoding below decides every byte:

* raw 8-bit bytes are read as UTF-8, else in the message's own charset, else cp1252;
* encoded words (``=?charset?B|Q?…?=``) are decoded with ``charsets.decode_bytes``; adjacent words
  in one charset are joined *before* decoding (a UTF-8 character split over two words survives),
  and the whitespace between encoded words disappears (RFC 2047 §6.2);
* malformed words (spaces inside, missing padding, unknown charset) are decoded as far as possible
  and never raise.
"""

import base64
import binascii
import re

from .charsets import decode_bytes

ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=")
_WORD = r"=\?[^?\s]+\?[bBqQ]\?[^?]*\?="
WORD_RUN = re.compile(rf"{_WORD}(?:\s*{_WORD})*")
_QP_ESCAPE = re.compile(rb"=([0-9A-Fa-f]{2})")
_MSGID = re.compile(r"<([^<>\s]+)>")
_FOLD = re.compile(r"\r?\n(?=[ \t])")


def raw_bytes(value):
    """The bytes behind a header string as the stdlib keeps it (surrogate escapes restored)."""
    return str(value).encode("utf-8", "surrogateescape")


def unfold(value):
    """Remove header folding (CRLF before whitespace); other line breaks become spaces."""
    text = _FOLD.sub("", str(value))
    return text.replace("\r", " ").replace("\n", " ")


def decode_8bit(value, hint=None):
    """A raw header value (str with surrogate escapes) as text; encoded words left alone."""
    data = raw_bytes(value)
    if data.isascii():
        return data.decode("ascii")
    return decode_bytes(data, None, hint).text


def _word_bytes(encoding, payload):
    if encoding in "bB":
        compact = re.sub(r"\s+", "", payload)
        compact += "=" * (-len(compact) % 4)
        try:
            return base64.b64decode(compact)
        except (binascii.Error, ValueError):
            return binascii.a2b_base64(compact.encode("ascii", "ignore") + b"==")
    data = payload.replace("_", " ").encode("utf-8", "surrogateescape")
    return _QP_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)


def _tokens(text):
    """Split text into ("text", str) and ("word", charset, bytes) tokens."""
    tokens, position = [], 0
    for match in ENCODED_WORD.finditer(text):
        if match.start() > position:
            tokens.append(("text", text[position : match.start()]))
        charset, encoding, payload = match.groups()
        try:
            data = _word_bytes(encoding, payload)
        except (binascii.Error, ValueError):
            tokens.append(("text", match.group(0)))
        else:
            tokens.append(("word", charset, data))
        position = match.end()
    if position < len(text):
        tokens.append(("text", text[position:]))
    return tokens


def _merge(tokens):
    """Drop whitespace between words; join neighbouring words of one charset."""
    merged = []
    for index, token in enumerate(tokens):
        between_words = (
            token[0] == "text"
            and not token[1].strip()
            and 0 < index < len(tokens) - 1
            and tokens[index - 1][0] == "word"
            and tokens[index + 1][0] == "word"
        )
        if between_words:
            continue
        joinable = token[0] == "word" and merged and merged[-1][0] == "word"
        if joinable and merged[-1][1].lower() == token[1].lower():
            merged[-1] = ("word", token[1], merged[-1][2] + token[2])
            continue
        merged.append(token)
    return merged


def decode_words(text, hint=None):
    """Decode every RFC 2047 encoded word in ``text`` (already free of raw 8-bit bytes)."""
    if "=?" not in text:
        return text
    parts = []
    for token in _merge(_tokens(text)):
        if token[0] == "text":
            parts.append(token[1])
        else:
            parts.append(decode_bytes(token[2], token[1], hint).text)
    return "".join(parts)


def decode_header(value, hint=None):
    """A full header value as display text: unfolded, 8-bit read, encoded words decoded."""
    if value is None:
        return None
    return decode_words(unfold(decode_8bit(value, hint)), hint)


def decode_structured(value, hint=None):
    """Like ``decode_header`` but each decoded word becomes a quoted string when it stands outside
    quotes, so that commas or angle brackets inside a name cannot split an address list."""
    text = unfold(decode_8bit(value, hint))
    if "=?" not in text:
        return text
    out, in_quotes, position = [], False, 0
    for match in WORD_RUN.finditer(text):
        before = text[position : match.start()]
        in_quotes ^= _unescaped_quotes(before) % 2 == 1
        out.append(before)
        out.append(_quoted_word(match, hint, in_quotes))
        position = match.end()
    out.append(text[position:])
    return "".join(out)


def _quoted_word(match, hint, in_quotes):
    decoded = decode_words(match.group(0), hint)
    escaped = decoded.replace("\\", "\\\\").replace('"', '\\"')
    return escaped if in_quotes else f'"{escaped}"'


def _unescaped_quotes(text):
    return len(re.findall(r'(?<!\\)"', text))


def message_ids(value):
    """Message-IDs in a header (``<a@b> <c@d>``), without the angle brackets, in order."""
    if not value:
        return ()
    text = unfold(decode_8bit(value))
    found = _MSGID.findall(text)
    if not found and text.strip() and " " not in text.strip():
        found = [text.strip().strip("<>")]
    seen = []
    for item in found:
        if item not in seen:
            seen.append(item)
    return tuple(seen)
