"""Fuzzing intake with mutated real messages: whatever arrives is stored and ends in a final
state (processed, ignored or quarantined); nothing crashes, nothing stays 'received'."""

import re
from pathlib import Path

from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from ventanilla.mail.intake import inbound_receive
from ventanilla.mail.models import InboundEmail

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = Path(settings.BASE_DIR).parent / "shared" / "corpus" / "email" / "zammad"


def _seeds():
    paths = sorted(FIXTURES.glob("*.eml"))
    if CORPUS.is_dir():
        paths += sorted(p for p in CORPUS.glob("*.box") if p.stat().st_size <= 16_000)
    return [path.read_bytes() for path in paths]


SEEDS = _seeds()
SENDERS = [b"lucia@talleresebro.test", b"nuevo@talleresebro.test", b"x@nadie.test", b"", b"<>"]
HEADERS = [
    b"In-Reply-To: <open-1@cliente.test>",
    b"References: <a@b> <open-1@cliente.test>",
    b"Subject: Re: [C/2026/1] algo",
    b"To: soporte+1xdeadbeefdeadbeef@soporte.localhost",
    b"Auto-Submitted: auto-replied",
    b"Cc: marcos@talleresebro.test, raro@@x, =?utf-8?q?roto",
    b"Date: Tue, 99 Foo 2026 99:99:99 +9999",
    b"Message-ID: <open-1@cliente.test>",
    b"Message-ID:",
]


@st.composite
def mutated(draw):
    raw = draw(st.sampled_from(SEEDS))
    sender = draw(st.sampled_from(SENDERS))
    raw = re.sub(rb"(?im)^From:[^\n]*", b"From: " + sender, raw, count=1)
    for header in draw(st.lists(st.sampled_from(HEADERS), max_size=3)):
        raw = header + b"\r\n" + raw
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(raw)))
        raw = raw[:cut]
    for _ in range(draw(st.integers(0, 4))):
        if raw:
            at = draw(st.integers(0, len(raw) - 1))
            raw = raw[:at] + bytes([draw(st.integers(0, 255))]) + raw[at + 1 :]
    return raw


@hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(raw=mutated())
def test_every_input_ends_stored_in_a_final_state(cast, raw):
    row = inbound_receive(raw, InboundEmail.Source.PIPE)
    row.refresh_from_db()
    assert bytes(row.raw) == raw or row.dedupe_key.startswith("mid:")
    assert row.state in {
        InboundEmail.State.PROCESSED,
        InboundEmail.State.IGNORED,
        InboundEmail.State.QUARANTINED,
    }
    if row.state == InboundEmail.State.QUARANTINED:
        assert row.reason and row.reason != "error", row.error  # no code path crashed
    assert not InboundEmail.objects.filter(state=InboundEmail.State.RECEIVED).exists()
