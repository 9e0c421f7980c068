"""Undoing Content-Transfer-Encoding leniently: what broken encoders send is decoded as far as it
goes instead of being handed back raw (the stdlib returns the undecoded text on the first error).
"""

import binascii
import quopri
import re

_NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/=]")
_BASE64_CHUNK = re.compile(rb"[A-Za-z0-9+/]+=*")
_PADDING_INSIDE = re.compile(rb"=+[A-Za-z0-9+/]")
UU_NAMES = {"x-uuencode", "uuencode", "x-uue", "uue"}


def decode_transfer(data, cte):
    """``data`` (the raw body bytes) with the named transfer encoding removed."""
    cte = (cte or "").strip().lower()
    if cte == "base64":
        return base64_lenient(data)
    if cte == "quoted-printable":
        return quopri.decodestring(data)
    if cte in UU_NAMES:
        return uu_lenient(data)
    return data


def base64_lenient(data):
    """Base64 that survives junk characters, a missing or early padding, and a stray last char."""
    compact = _NOT_BASE64.sub(b"", data)
    if not _PADDING_INSIDE.search(compact):
        try:
            return binascii.a2b_base64(compact)
        except binascii.Error:
            pass
    return b"".join(_chunk(chunk) for chunk in _BASE64_CHUNK.findall(compact))


def _chunk(chunk):
    body = chunk.rstrip(b"=")
    if len(body) % 4 == 1:  # a lone trailing character carries no whole byte
        body = body[:-1]
    body += b"=" * (-len(body) % 4)
    try:
        return binascii.a2b_base64(body)
    except binascii.Error:
        return b""


def uu_lenient(data):
    """uuencoded bytes, with or without the ``begin``/``end`` lines."""
    out = []
    for line in data.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith((b"begin ", b"end")) or stripped == b"`":
            continue
        out.append(_uu_line(line.rstrip(b"\r\n")))
    return b"".join(out)


def _uu_line(line):
    try:
        return binascii.a2b_uu(line)
    except binascii.Error:
        length = (((line[0] - 32) & 63) * 4 + 5) // 3  # trust the length character
        try:
            return binascii.a2b_uu(line[:length])
        except binascii.Error:
            return b""
