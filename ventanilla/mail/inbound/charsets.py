"""Turning bytes into text when the declared charset may be missing, misspelt or wrong.

The rule, for every body and every header word (``decode_bytes``):

1. the declared label is cleaned (quotes, ``3D`` left over from quoted-printable, ``*lang``) and
   mapped to the table mail clients really use for it, its common superset (gb2312 → gb18030,
   shift_jis → cp932, ks_c_5601 → cp949, iso-8859-1 → cp1252, iso-2022-jp → CP50220 …);
   a single-byte Western label on bytes that are valid UTF-8 is taken to mean UTF-8;
2. that table is tried strictly, then its siblings (iso-2022-jp → cp932), then the label itself;
3. then UTF-8;
4. then the caller's hints (for raw 8-bit headers: every charset the message declares; for
   double-byte-looking bytes, double-byte hints first, and gb18030 as a guess when nothing at all
   is declared);
5. text that is mostly UTF-8 with a few stray bytes is read as UTF-8, the stray bytes as cp1252;
6. and last cp1252, where the five bytes cp1252 leaves undefined fall back to Latin-1, so that no
   byte is ever lost or turned into U+FFFD.

``decode_bytes`` never raises; it says which table won, so that callers can record a defect.
"""

import codecs
import re
from dataclasses import dataclass

from .iso2022jp import decode_iso2022jp_ms

CP50220 = "iso2022-jp-ms"  # our own decoder (iso2022jp.py), not a Python codec

SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc-cn": "gb18030",
    "x-gbk": "gb18030",
    "iso-gb2312": "gb18030",
    "cn-gb": "gb18030",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "ks_c_5601-1989": "cp949",
    "euc-kr": "cp949",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "ascii",
    "iso-8859-9": "cp1254",
    "latin5": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "windows-874": "cp874",
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-6-i": "iso-8859-6",
    "iso-2022-jp": CP50220,
    "csiso2022jp": CP50220,
    "unicode-1-1-utf-7": "utf-7",
    "x-unicode-2-0-utf-7": "utf-7",
    "utf8": "utf-8",
    "x-user-defined": "cp1252",
}
# When a label's own table fails, the bytes usually belong to a sibling encoding of the same
# language (mail093: "ISO-2022-JP" words holding Shift_JIS bytes).
FAMILIES = {
    CP50220: ("iso2022_jp_2", "cp932", "euc_jis_2004"),
    "iso2022_jp": ("cp932", "euc_jis_2004"),
    "cp932": ("euc_jis_2004", "iso2022_jp_ext"),
    "euc_jp": ("cp932", "euc_jis_2004"),
    "gb18030": ("big5hkscs",),
    "big5hkscs": ("gb18030",),
    "cp949": ("iso2022_kr",),
}
# Tried for non-UTF-8 bytes with no label anywhere whose non-ASCII bytes come in runs, the mark
# of a double-byte encoding (unlabelled Chinese mail, mail023).
GUESSES = ("gb18030",)
MULTIBYTE = {
    "gb18030", "big5hkscs", "cp932", "cp949", "euc_jis_2004", "euc_jp", "euc_kr", "iso2022_jp",
    "iso2022_jp_2", "iso2022_jp_ext", CP50220, "iso2022_kr", "shift_jis", "gbk", "gb2312", "big5",
}  # fmt: skip
# Single-byte labels that mailers put on UTF-8 text: non-ASCII bytes that form valid UTF-8 are
# (almost) never meant in these tables ("Ã©" is not what anybody typed), so UTF-8 wins.
SINGLE_BYTE_WESTERN = {"ascii", "cp1252", "iso8859-15", "iso8859-2", "cp1250"}
# Labels that say nothing about the bytes, and codecs that are not character sets.
MEANINGLESS = {"", "unknown", "unknown-8bit", "x-unknown", "default", "none", "8bit", "binary"}
NOT_CHARSETS = {"unicode-escape", "raw-unicode-escape", "idna", "punycode", "undefined"}

_HIGH_RUN = re.compile(rb"[\x80-\xff]+")
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_LABEL_JUNK = re.compile(r"^(?:3d|2d)(?=[a-z])")


def _latin1_fallback(error):
    """Error handler: the bytes cp1252 leaves undefined are read as Latin-1."""
    chunk = error.object[error.start : error.end]
    return "".join(map(chr, chunk)), error.end


def _cp1252_fallback(error):
    """Error handler for UTF-8 text with stray single-byte characters (mixed encodings)."""
    chunk = error.object[error.start : error.end]
    return chunk.decode("cp1252", "ventanilla-latin1"), error.end


codecs.register_error("ventanilla-latin1", _latin1_fallback)
codecs.register_error("ventanilla-mixed", _cp1252_fallback)


@dataclass(frozen=True)
class Decoded:
    text: str
    codec: str  # the table that produced the text
    declared: str  # the cleaned declared label ("" when none)
    fallback: bool  # True when a label was declared and could not be used as such


def clean_label(label):
    """Normalise a charset label as found in the wild: quotes, case, stray QP residue."""
    text = str(label or "").strip().strip("\"'").strip().lower()
    text = text.split("*", 1)[0]  # RFC 2231 language suffix
    return _LABEL_JUNK.sub("", text).strip()  # charset=3Dutf-8 (quoted-printable in a header)


def _lookup(name):
    if name == CP50220:
        return CP50220
    try:
        codec = codecs.lookup(name).name
    except (LookupError, ValueError):  # ValueError: labels with NUL and the like
        return None
    return None if codec in NOT_CHARSETS else codec


def codec_for(label):
    """The table to try first for a declared label, or None when the label is unusable."""
    label = clean_label(label)
    return None if label in MEANINGLESS else _lookup(SUPERSETS.get(label, label))


def _with_family(codec):
    return [codec, *FAMILIES.get(codec, ())] if codec else []


def hint_codecs(hint):
    """Tables for a hint: one label, or several (every charset the message declares)."""
    labels = [hint] if isinstance(hint, str) else list(hint or ())
    return [codec for label in labels for codec in _with_family(codec_for(label))]


def _candidates(cleaned, hint, data):
    declared = codec_for(cleaned)
    hinted = hint_codecs(hint)
    if _paired(data, minimum=2):  # double-byte text: double-byte hints before single-byte ones
        multi = [codec for codec in hinted if codec in MULTIBYTE]
        nothing_declared = not (multi or declared or hinted)
        guess = list(GUESSES) if nothing_declared and _paired(data, minimum=8) else []
        hinted = multi + guess + hinted
    own = None if cleaned in MEANINGLESS else _lookup(cleaned)
    ordered = [*_with_family(declared), own, "utf-8", *hinted]
    return [codec for codec in dict.fromkeys(ordered) if codec]


def _try(data, codec):
    try:
        if codec == CP50220:
            return decode_iso2022jp_ms(data)
        return data.decode(codec)
    except (LookupError, ValueError):  # UnicodeDecodeError is a ValueError
        return None


def _high_bytes(data):
    return sum(map(len, _HIGH_RUN.findall(data)))


def _paired(data, minimum):
    """True when nearly every non-ASCII byte sits next to another one (double-byte text), and
    there are at least ``minimum`` of them (a guess with no label at all needs more evidence)."""
    runs = _HIGH_RUN.findall(data)
    high = sum(map(len, runs))
    paired = sum(len(run) for run in runs if len(run) > 1)
    return high >= minimum and paired >= 0.9 * high


def _mostly_utf8(data):
    """At least half of the non-ASCII bytes form valid UTF-8 sequences."""
    covered = sum(map(len, _UTF8_SEQUENCE.findall(data)))
    return bool(covered) and covered * 2 >= _high_bytes(data)


def _is_seven_bit(codec):
    """Tables whose ASCII-only bytes are not ASCII text (UTF-7, ISO-2022-*, HZ)."""
    return codec in ("utf-7", "hz", CP50220) or str(codec).startswith("iso2022")


def decode_bytes(data, label=None, hint=None):
    """Decode ``data`` following the module's rule; never raises."""
    data = bytes(data or b"")
    cleaned = clean_label(label)
    declared = codec_for(cleaned)
    if data.isascii() and not _is_seven_bit(declared):
        return Decoded(data.decode("ascii"), "ascii", cleaned, fallback=False)
    if declared in SINGLE_BYTE_WESTERN and _try(data, "utf-8") is not None:
        return Decoded(data.decode("utf-8"), "utf-8", cleaned, fallback=True)
    for codec in _candidates(cleaned, hint, data):
        text = _try(data, codec)
        if text is not None:
            return Decoded(text, codec, cleaned, fallback=bool(cleaned) and codec != declared)
    if _mostly_utf8(data):
        text = data.decode("utf-8", "ventanilla-mixed")
        return Decoded(text, "utf-8+cp1252", cleaned, fallback=True)
    text = data.decode("cp1252", "ventanilla-latin1")
    return Decoded(text, "cp1252", cleaned, fallback=True)
