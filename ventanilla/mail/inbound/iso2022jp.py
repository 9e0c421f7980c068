"""ISO-2022-JP as Japanese mail clients write it (Microsoft's CP50220 family): the JIS X 0208
rows are read through cp932, so NEC row 13 (①, ㈱, ㌔) and the IBM extensions decode, which
Python's strict ``iso2022_jp`` codecs refuse (mail099)."""

import re

_ESCAPE = re.compile(rb"\x1b(?:\(B|\(J|\(I|\$@|\$B|\$\(D)")
_MODES = {
    b"\x1b(B": "ascii",
    b"\x1b(J": "ascii",  # JIS X 0201 Roman: read as ASCII, as mail clients do
    b"\x1b(I": "katakana",  # JIS X 0201 half-width katakana
    b"\x1b$@": "jis",
    b"\x1b$B": "jis",
    b"\x1b$(D": "jis212",
}
_LINE_BREAK = re.compile(rb"(\r\n|\n|\r)")


def decode_iso2022jp_ms(data):
    """Decode, or raise ValueError (UnicodeDecodeError included) on anything else."""
    out, mode, position = [], "ascii", 0
    for match in _ESCAPE.finditer(data):
        out.append(_segment(data[position : match.start()], mode))
        mode, position = _MODES[match.group()], match.end()
    out.append(_segment(data[position:], mode))
    return "".join(out)


def _segment(chunk, mode):
    if b"\x1b" in chunk or not chunk.isascii():
        raise ValueError("not 7-bit ISO-2022-JP")
    if mode == "ascii":
        return chunk.decode("ascii")
    if mode == "katakana":
        return bytes(b + 0x80 if 0x21 <= b <= 0x5F else b for b in chunk).decode("cp932")
    if mode == "jis212":
        return (b"\x1b$(D" + chunk + b"\x1b(B").decode("iso2022_jp_2")
    return "".join(_double_byte(piece) for piece in _LINE_BREAK.split(chunk))


def _double_byte(piece):
    if _LINE_BREAK.fullmatch(piece):
        return piece.decode("ascii")  # a line break inside a JIS run: tolerated, kept
    if len(piece) % 2:
        raise ValueError("odd number of bytes in a double-byte run")
    pairs = (_jis_to_sjis(piece[i], piece[i + 1]) for i in range(0, len(piece), 2))
    return b"".join(pairs).decode("cp932")


def _jis_to_sjis(first, second):
    """One JIS X 0208 code (0x21..0x7E pair) as the two Shift_JIS bytes cp932 reads."""
    low = second + (0x1F + (second >= 0x60) if first % 2 else 0x7E)
    high = (first - 0x21) // 2 + 0x81
    if high > 0x9F:
        high += 0x40
    return bytes((high, low))
