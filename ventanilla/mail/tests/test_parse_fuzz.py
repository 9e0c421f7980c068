"""Fuzzing the parser with mutated real messages: whatever arrives, parse_email returns a
ParsedEmail, needs none of its last-resort guards, and its JSON view can be printed.

Seeds: our fixtures, plus the small messages of the shared corpus when it sits beside the clone.
"""

import json
import re
from pathlib import Path

from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from ventanilla.mail.inbound import ParsedEmail, parse_email
from ventanilla.mail.inbound.corpus_format import to_corpus_json

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = Path(settings.BASE_DIR).parent / "shared" / "corpus" / "email" / "zammad"
MAX_SEED_BYTES = 24_000  # keeps one example fast; the big corpus messages add nothing here


def _seeds():
    paths = sorted(FIXTURES.glob("*.eml"))
    if CORPUS.is_dir():
        paths += sorted(p for p in CORPUS.glob("*.box") if p.stat().st_size <= MAX_SEED_BYTES)
    return [path.read_bytes() for path in paths]


SEEDS = _seeds()
CHARSETS = [
    "utf-8", "iso-8859-1", "windows-1252", "gb2312", "shift_jis", "iso-2022-jp", "utf-7",
    "unicode-1-1-utf-7", "ks_c_5601-1987", "x-desconocido", "unicode-escape", "base64", "idna",
    "utf-16", "", '"', "3Dutf-8", "utf-8*es", "\udcff",
]  # fmt: skip
TRANSFER = ["base64", "quoted-printable", "x-uuencode", "8bit", "binary", "UTF-8", "x-nada"]


def _flip(raw, data):
    if not raw:
        return raw
    position = data.draw(st.integers(0, len(raw) - 1))
    return raw[:position] + bytes([data.draw(st.integers(0, 255))]) + raw[position + 1 :]


def _truncate(raw, data):
    return raw[: data.draw(st.integers(0, len(raw)))]


def _insert_garbage(raw, data):
    position = data.draw(st.integers(0, len(raw)))
    junk = data.draw(
        st.one_of(
            st.binary(max_size=40),
            st.sampled_from([b"\n\n", b"\r", b"=?", b"?=", b"--", b"\n--", b"\x00", b"\n \n"]),
        )
    )
    return raw[:position] + junk + raw[position:]


def _duplicate_header(raw, data):
    lines = raw.split(b"\n")
    headers = [line for line in lines[:40] if re.match(rb"^[A-Za-z-]+:", line)]
    if not headers:
        return raw
    line = data.draw(st.sampled_from(headers))
    return line + b"\n" + raw


def _random_charset(raw, data):
    charset = data.draw(st.sampled_from(CHARSETS)).encode("utf-8", "surrogateescape")
    return re.sub(rb"charset=\"?[^\";\s]*\"?", b"charset=" + charset, raw, count=3)


def _random_transfer_encoding(raw, data):
    cte = data.draw(st.sampled_from(TRANSFER)).encode()
    return re.sub(rb"Content-Transfer-Encoding: *\S+", b"Content-Transfer-Encoding: " + cte, raw)


def _swap_line_endings(raw, data):
    if data.draw(st.booleans()):
        return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return raw.replace(b"\r\n", b"\n")


def _drop_boundary(raw, data):
    found = re.findall(rb"\n--[^\r\n]+", raw)
    if not found:
        return raw
    return raw.replace(data.draw(st.sampled_from(found)), b"\n", 1)


MUTATIONS = [
    _flip,
    _truncate,
    _insert_garbage,
    _duplicate_header,
    _random_charset,
    _random_transfer_encoding,
    _swap_line_endings,
    _drop_boundary,
]


@hypothesis_settings(
    max_examples=1200,
    deadline=None,
    derandomize=True,  # the same examples on every run: a CI failure can be replayed
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_mutated_messages_always_parse(data):
    raw = data.draw(st.sampled_from(SEEDS))
    for mutation in data.draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=4)):
        raw = mutation(raw, data)

    parsed = parse_email(raw)

    assert isinstance(parsed, ParsedEmail)
    assert not [d for d in parsed.defects if d.startswith("internal-error")], parsed.defects
    json.dumps(to_corpus_json(parsed), ensure_ascii=False).encode("utf-8")  # no lone surrogates


@hypothesis_settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(raw=st.binary(max_size=3000))
def test_arbitrary_bytes_always_parse(raw):
    parsed = parse_email(raw)

    assert isinstance(parsed, ParsedEmail)
    assert not [d for d in parsed.defects if d.startswith("internal-error")], parsed.defects
