"""The pure clock math: deadlines with pauses, warning instants (tables + properties)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ventanilla.sla import clockmath
from ventanilla.sla.businesstime import default_calendar

CAL = default_calendar()
MADRID = ZoneInfo("Europe/Madrid")


def at(day, hour, minute=0):
    return datetime(2026, 11, day, hour, minute, tzinfo=MADRID)


@pytest.mark.parametrize(
    ("start", "amount", "unit", "paused", "due"),
    [
        (at(23, 10), 60, "minutes_24x7", 0, at(23, 11)),
        (at(23, 10), 60, "minutes_24x7", 30, at(23, 11, 30)),
        (at(23, 17), 120, "business_minutes", 0, at(24, 9, 30)),
        (at(23, 17), 120, "business_minutes", 60, at(24, 10, 30)),
        (at(27, 17), 1, "business_days", 0, at(30, 17)),
        (at(27, 17), 1, "business_days", 60, at(30, 18)),  # closing time kept
        (at(27, 17), 1, "business_days", 61, datetime(2026, 12, 1, 8, 31, tzinfo=MADRID)),
        (at(23, 10), 3, "calendar_days", 0, at(26, 10)),
        (at(23, 10), 3, "calendar_days", 90, at(26, 11, 30)),
    ],
)
def test_deadline_table(start, amount, unit, paused, due):
    assert clockmath.deadline(CAL, start, amount, unit, paused) == due


def test_warning_instant_is_a_share_of_the_measured_span():
    due = clockmath.deadline(CAL, at(23, 17), 120, "business_minutes")
    assert clockmath.warning_instant(CAL, "business_minutes", at(23, 17), due, 50) == at(23, 18)
    due = at(23, 11)
    assert clockmath.warning_instant(CAL, "minutes_24x7", at(23, 10), due, 80) == at(23, 10, 48)


def test_unknown_unit_is_refused():
    with pytest.raises(ValueError, match="unknown unit"):
        clockmath.deadline(CAL, at(23, 10), 1, "fortnights")


starts = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)


@settings(max_examples=300, deadline=None)
@given(
    start=starts,
    amount=st.integers(0, 5000),
    paused=st.integers(0, 3000),
    unit=st.sampled_from(["business_minutes", "minutes_24x7"]),
)
def test_a_pause_adds_exactly_its_minutes_in_the_clock_measure(start, amount, paused, unit):
    due = clockmath.deadline(CAL, start, amount, unit, paused)
    assert clockmath.elapsed(CAL, unit, start, due) == pytest.approx(amount + paused, abs=1e-6)


@settings(max_examples=300, deadline=None)
@given(
    start=starts,
    amount=st.integers(1, 30),
    paused=st.integers(0, 5000),
    percent=st.integers(1, 99),
    unit=st.sampled_from(clockmath.UNITS),
)
def test_deadlines_grow_with_pauses_and_warnings_fall_inside(start, amount, paused, percent, unit):
    plain = clockmath.deadline(CAL, start, amount, unit)
    due = clockmath.deadline(CAL, start, amount, unit, paused)
    assert due >= plain >= start
    warn = clockmath.warning_instant(CAL, unit, start, due, percent)
    assert start <= warn <= due + timedelta(microseconds=1)
