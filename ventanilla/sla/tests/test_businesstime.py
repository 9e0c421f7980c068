"""Business-time arithmetic: table tests for every rule in docs/sla.md, and a property test against
a brute-force, minute-by-minute reference written here independently of the fast implementation."""

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ventanilla.sla.businesstime import (
    ALWAYS_OPEN,
    DAYS,
    Calendar,
    CalendarError,
    add_24x7_minutes,
    add_business_days,
    add_business_minutes,
    add_calendar_days,
    always_open,
    business_minutes_between,
    calendar_from_dict,
    default_calendar,
    is_open,
    next_opening,
)

MADRID_TZ = ZoneInfo("Europe/Madrid")
MADRID = Calendar(holidays_country="ES", holidays_subdiv="MD")
CATALONIA = Calendar(holidays_country="ES", holidays_subdiv="CT")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
SPLIT = Calendar(hours={day: [("09:00", "14:00"), ("15:00", "18:00")] for day in WEEKDAYS})
WITH_SATURDAY = {**{day: [("08:30", "18:00")] for day in WEEKDAYS}, "sat": [("09:00", "14:00")]}


def madrid(*args):
    return datetime(*args, tzinfo=MADRID_TZ)


def iso(moment):
    return moment.isoformat()


def utc(moment):
    """Compare instants in UTC: Python's == between zones is False for a time in a DST fold, and
    within one zone it compares wall clocks, ignoring the fold."""
    return moment.astimezone(UTC)


# --- the holidays we rely on, checked against the package itself ------------------------------


def test_the_holidays_package_agrees_with_the_dates_used_below():
    md = holidays.country_holidays("ES", subdiv="MD", years=[2026, 2027])
    ct = holidays.country_holidays("ES", subdiv="CT", years=[2026, 2027])
    national = holidays.country_holidays("ES", years=[2026, 2027])
    assert date(2026, 5, 2) in md and date(2026, 5, 2) not in ct
    assert date(2026, 12, 7) in md and date(2026, 12, 7) not in ct | national
    for day in (date(2026, 12, 8), date(2026, 12, 25), date(2027, 1, 1), date(2027, 1, 6)):
        assert day in national and day in md and day in ct


# --- business minutes -----------------------------------------------------------------------

MINUTE_CASES = [
    # (calendar, start, minutes, deadline)  — Monday 2026-11-23, Saturday 2026-11-21
    (MADRID, madrid(2026, 11, 23, 9, 0), 60, "2026-11-23T10:00:00+01:00"),
    (MADRID, madrid(2026, 11, 23, 17, 30), 60, "2026-11-24T09:00:00+01:00"),
    (MADRID, madrid(2026, 11, 23, 17, 0), 60, "2026-11-23T18:00:00+01:00"),  # exactly at closing
    (MADRID, madrid(2026, 11, 23, 7, 0), 60, "2026-11-23T09:30:00+01:00"),  # before opening
    (MADRID, madrid(2026, 11, 23, 19, 0), 60, "2026-11-24T09:30:00+01:00"),  # after closing
    (MADRID, madrid(2026, 11, 21, 11, 0), 60, "2026-11-23T09:30:00+01:00"),  # on Saturday
    (MADRID, madrid(2026, 11, 20, 17, 0), 120, "2026-11-23T09:30:00+01:00"),  # over a weekend
    (MADRID, madrid(2026, 11, 23, 9, 0), 480, "2026-11-23T17:00:00+01:00"),  # 8 hours
    (MADRID, madrid(2026, 11, 23, 8, 30), 570, "2026-11-23T18:00:00+01:00"),  # one full day
    (MADRID, madrid(2026, 11, 23, 18, 0), 1, "2026-11-24T08:31:00+01:00"),
    # Madrid: Mon 7 Dec (regional) and Tue 8 Dec (national) are closed; Catalonia only the 8th.
    (MADRID, madrid(2026, 12, 4, 17, 0), 120, "2026-12-09T09:30:00+01:00"),
    (CATALONIA, madrid(2026, 12, 4, 17, 0), 120, "2026-12-07T09:30:00+01:00"),
    (default_calendar(), madrid(2026, 12, 4, 17, 0), 120, "2026-12-07T09:30:00+01:00"),
    # Christmas, New Year and Epiphany in one target.
    (MADRID, madrid(2026, 12, 24, 17, 0), 60 + 570 * 4 + 60, "2027-01-04T09:30:00+01:00"),
    (MADRID, madrid(2027, 1, 5, 17, 0), 120, "2027-01-07T09:30:00+01:00"),
    # Saturday 2 May 2026 is a Madrid holiday, not a Catalan one (Friday 1 May is national).
    (
        replace(MADRID, hours=WITH_SATURDAY),
        madrid(2026, 4, 30, 17, 30),
        60,
        "2026-05-04T09:00:00+02:00",
    ),
    (
        replace(CATALONIA, hours=WITH_SATURDAY),
        madrid(2026, 4, 30, 17, 30),
        60,
        "2026-05-02T09:30:00+02:00",
    ),
    # Split day: lunch 14:00–15:00.
    (SPLIT, madrid(2026, 11, 23, 13, 30), 60, "2026-11-23T15:30:00+01:00"),
    (SPLIT, madrid(2026, 11, 23, 13, 0), 60, "2026-11-23T14:00:00+01:00"),  # at the lunch closing
    (SPLIT, madrid(2026, 11, 23, 14, 20), 30, "2026-11-23T15:30:00+01:00"),  # starts in the gap
    (SPLIT, madrid(2026, 11, 23, 9, 0), 480, "2026-11-23T18:00:00+01:00"),
    # DST: the weekend of 28–29 March and of 24–25 October 2026 change the offset.
    (MADRID, madrid(2026, 3, 27, 17, 0), 120, "2026-03-30T09:30:00+02:00"),
    (MADRID, madrid(2026, 10, 23, 17, 0), 120, "2026-10-26T09:30:00+01:00"),
]


@pytest.mark.parametrize(("calendar", "start", "minutes", "deadline"), MINUTE_CASES)
def test_add_business_minutes(calendar, start, minutes, deadline):
    assert iso(add_business_minutes(calendar, start, minutes)) == deadline
    assert iso(add_business_minutes(calendar, start.astimezone(UTC), minutes)) == deadline


@pytest.mark.parametrize(("calendar", "start", "minutes", "deadline"), MINUTE_CASES)
def test_business_minutes_between_inverts_the_deadline(calendar, start, minutes, deadline):
    assert business_minutes_between(calendar, start, datetime.fromisoformat(deadline)) == minutes


def test_zero_minutes_returns_the_start_even_when_closed():
    saturday = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
    result = add_business_minutes(MADRID, saturday, 0)
    assert utc(result) == saturday and result.tzinfo == MADRID_TZ


def test_output_is_in_the_calendar_time_zone():
    result = add_business_minutes(MADRID, datetime(2026, 11, 23, 8, 0, tzinfo=UTC), 60)
    assert result.tzinfo == MADRID_TZ and iso(result) == "2026-11-23T10:00:00+01:00"


def test_seconds_and_microseconds_are_kept():
    start = madrid(2026, 11, 23, 9, 0, 15, 250)
    assert add_business_minutes(MADRID, start, 1.5) == madrid(2026, 11, 23, 9, 1, 45, 250)


def test_closures_close_whole_days():
    closed = replace(MADRID, closures=["2026-12-24", date(2026, 12, 31)])
    deadline = add_business_minutes(closed, madrid(2026, 12, 23, 17, 0), 120)
    assert iso(deadline) == "2026-12-28T09:30:00+01:00"
    assert iso(add_business_minutes(MADRID, madrid(2026, 12, 23, 17, 0), 120)) == (
        "2026-12-24T09:30:00+01:00"
    )


# --- business minutes between ---------------------------------------------------------------

BETWEEN_CASES = [
    (MADRID, madrid(2026, 11, 20, 9, 0), madrid(2026, 11, 23, 9, 0), 570),
    (MADRID, madrid(2026, 11, 21, 9, 0), madrid(2026, 11, 22, 9, 0), 0),
    (MADRID, madrid(2026, 12, 24, 18, 0), madrid(2027, 1, 7, 8, 30), 570 * 6),
    (SPLIT, madrid(2026, 11, 23, 13, 0), madrid(2026, 11, 23, 16, 0), 120),
    (MADRID, madrid(2026, 11, 23, 10, 0), madrid(2026, 11, 23, 9, 0), -60),  # overdue
    (MADRID, madrid(2026, 10, 23, 9, 0), madrid(2026, 10, 26, 9, 0), 570),
]


@pytest.mark.parametrize(("calendar", "start", "end", "minutes"), BETWEEN_CASES)
def test_business_minutes_between(calendar, start, end, minutes):
    assert business_minutes_between(calendar, start, end) == minutes


# --- DST on days with open hours ------------------------------------------------------------

SUNDAY_ALL_DAY = Calendar(hours={"sun": [("00:00", "24:00")]})
SUNDAY_NIGHT = Calendar(hours={"sun": [("01:00", "04:00")]})
SUNDAY_FROM_0230 = Calendar(hours={"sun": [("02:30", "06:00")]})


@pytest.mark.parametrize(
    ("calendar", "day", "minutes"),
    [
        (SUNDAY_ALL_DAY, date(2026, 3, 29), 23 * 60),  # the day has 23 hours
        (SUNDAY_ALL_DAY, date(2026, 10, 25), 25 * 60),  # and this one 25
        (SUNDAY_NIGHT, date(2026, 3, 29), 120),  # 01:00 CET → 04:00 CEST
        (SUNDAY_NIGHT, date(2026, 10, 25), 240),  # 01:00 CEST → 04:00 CET
        (SUNDAY_FROM_0230, date(2026, 3, 29), 150),  # 02:30 does not exist: fold=0 → 03:30 CEST
        (SUNDAY_FROM_0230, date(2026, 10, 25), 270),  # 02:30 happens twice: fold=0 → the first
    ],
)
def test_open_time_on_dst_days_follows_the_wall_clock(calendar, day, minutes):
    start = datetime.combine(day, time(0), tzinfo=MADRID_TZ)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=MADRID_TZ)
    assert business_minutes_between(calendar, start, end) == minutes


def test_deadlines_inside_dst_nights():
    saturday = madrid(2026, 3, 28, 12, 0)
    assert iso(add_business_minutes(SUNDAY_NIGHT, saturday, 90)) == "2026-03-29T03:30:00+02:00"
    assert iso(add_business_minutes(SUNDAY_FROM_0230, saturday, 1)) == "2026-03-29T03:31:00+02:00"
    october = madrid(2026, 10, 24, 12, 0)
    first = add_business_minutes(SUNDAY_NIGHT, october, 90)
    second = add_business_minutes(SUNDAY_NIGHT, october, 150)
    assert (iso(first), iso(second)) == ("2026-10-25T02:30:00+02:00", "2026-10-25T02:30:00+01:00")


# --- business days --------------------------------------------------------------------------

SHORT_FRIDAY = Calendar(hours={**{day: [("08:30", "18:00")] for day in WEEKDAYS[:4]},
                               "fri": [("08:00", "15:00")]})  # fmt: skip
LATE_TUESDAY = Calendar(hours={"mon": [("08:30", "18:00")],
                               "tue": [("09:00", "14:00"), ("16:00", "18:00")]})  # fmt: skip

BUSINESS_DAY_CASES = [
    (MADRID, madrid(2026, 11, 23, 10, 0), 1, "2026-11-24T10:00:00+01:00"),
    (MADRID, madrid(2026, 11, 23, 10, 0), 3, "2026-11-26T10:00:00+01:00"),
    (MADRID, madrid(2026, 11, 20, 17, 0), 1, "2026-11-23T17:00:00+01:00"),  # Friday → Monday
    (MADRID, madrid(2026, 11, 21, 11, 0), 1, "2026-11-24T08:30:00+01:00"),  # Saturday
    (MADRID, madrid(2026, 11, 23, 7, 0), 1, "2026-11-24T08:30:00+01:00"),  # before opening
    (MADRID, madrid(2026, 11, 23, 19, 0), 1, "2026-11-25T08:30:00+01:00"),  # after closing
    (MADRID, madrid(2026, 11, 23, 18, 0), 1, "2026-11-24T18:00:00+01:00"),  # at closing
    (MADRID, madrid(2026, 12, 24, 10, 0), 2, "2026-12-29T10:00:00+01:00"),  # Christmas
    (MADRID, madrid(2027, 1, 5, 10, 0), 1, "2027-01-07T10:00:00+01:00"),  # Epiphany
    (MADRID, madrid(2026, 12, 4, 10, 0), 1, "2026-12-09T10:00:00+01:00"),  # 7 and 8 December
    (CATALONIA, madrid(2026, 12, 4, 10, 0), 1, "2026-12-07T10:00:00+01:00"),
    (MADRID, madrid(2026, 3, 27, 10, 0), 1, "2026-03-30T10:00:00+02:00"),  # over the DST change
    (MADRID, madrid(2026, 10, 23, 10, 0), 1, "2026-10-26T10:00:00+01:00"),
    (SHORT_FRIDAY, madrid(2026, 11, 26, 17, 0), 1, "2026-11-27T15:00:00+01:00"),  # after closing
    (SHORT_FRIDAY, madrid(2026, 11, 26, 17, 0), 2, "2026-11-30T17:00:00+01:00"),
    (LATE_TUESDAY, madrid(2026, 11, 23, 15, 0), 1, "2026-11-24T14:00:00+01:00"),  # in the gap
    (LATE_TUESDAY, madrid(2026, 11, 23, 8, 30), 1, "2026-11-24T09:00:00+01:00"),  # before opening
    (MADRID, madrid(2026, 11, 21, 11, 0), 0, "2026-11-21T11:00:00+01:00"),  # 0 days: unchanged
]


@pytest.mark.parametrize(("calendar", "start", "days", "deadline"), BUSINESS_DAY_CASES)
def test_add_business_days(calendar, start, days, deadline):
    assert iso(add_business_days(calendar, start, days)) == deadline
    assert iso(add_business_days(calendar, start.astimezone(UTC), days)) == deadline


# --- calendar days and 24×7 -----------------------------------------------------------------

CALENDAR_DAY_CASES = [
    (madrid(2026, 11, 23, 10, 0), 3, "2026-11-26T10:00:00+01:00"),
    (madrid(2026, 11, 21, 23, 0), 10, "2026-12-01T23:00:00+01:00"),  # weekends count
    (madrid(2026, 12, 20, 9, 0), 20, "2027-01-09T09:00:00+01:00"),  # holidays count
    (madrid(2026, 3, 27, 10, 0), 3, "2026-03-30T10:00:00+02:00"),  # 71 hours of real time
    (madrid(2026, 10, 23, 10, 0), 3, "2026-10-26T10:00:00+01:00"),  # 73 hours of real time
    (madrid(2026, 3, 26, 2, 30), 3, "2026-03-29T03:30:00+02:00"),  # lands in the gap: fold=0
    (madrid(2026, 10, 22, 2, 30), 3, "2026-10-25T02:30:00+02:00"),  # lands twice: the first
]


@pytest.mark.parametrize(("start", "days", "deadline"), CALENDAR_DAY_CASES)
def test_add_calendar_days(start, days, deadline):
    assert iso(add_calendar_days(MADRID, start.astimezone(UTC), days)) == deadline


def test_24x7_minutes_count_real_elapsed_time_over_dst():
    before = madrid(2026, 3, 29, 1, 30)
    assert iso(add_24x7_minutes(before, 60)) == "2026-03-29T03:30:00+02:00"
    assert iso(add_24x7_minutes(madrid(2026, 10, 25, 1, 30), 120)) == "2026-10-25T02:30:00+01:00"
    utc = datetime(2026, 11, 21, 23, 30, tzinfo=UTC)
    assert iso(add_24x7_minutes(utc, 45, MADRID_TZ)) == "2026-11-22T01:15:00+01:00"


def test_always_open_calendars_agree_with_24x7():
    start = madrid(2026, 3, 28, 23, 10)
    madrid_24x7 = always_open("Europe/Madrid")
    assert ALWAYS_OPEN.is_24x7 and madrid_24x7.is_24x7 and not MADRID.is_24x7
    for minutes in (0, 1, 60, 600, 5000):
        expected = add_24x7_minutes(start, minutes)
        assert utc(add_business_minutes(madrid_24x7, start, minutes)) == utc(expected)
    end = madrid(2026, 3, 30, 0, 0)
    assert business_minutes_between(ALWAYS_OPEN, start, end) == 24 * 60 + 50 - 60


# --- open / next opening --------------------------------------------------------------------


def test_is_open_and_next_opening():
    assert is_open(MADRID, madrid(2026, 11, 23, 8, 30))
    assert not is_open(MADRID, madrid(2026, 11, 23, 18, 0))
    assert not is_open(MADRID, madrid(2026, 12, 8, 10, 0))
    assert iso(next_opening(MADRID, madrid(2026, 12, 4, 18, 0))) == "2026-12-09T08:30:00+01:00"
    assert next_opening(MADRID, madrid(2026, 11, 23, 9, 0)) == madrid(2026, 11, 23, 9, 0)


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"timezone": "Europe/Atlantis"}, "timezone"),
        ({"hours": {"monday": [("08:30", "18:00")]}}, "day"),
        ({"hours": {"mon": [("8:30", "18:00")]}}, "time"),
        ({"hours": {"mon": [("08:30", "24:01")]}}, "time"),
        ({"hours": {"mon": [("18:00", "08:30")]}}, "range"),
        ({"hours": {"mon": [("08:00", "14:00"), ("13:00", "18:00")]}}, "range"),
        ({"hours": {"mon": [("08:00",)]}}, "range"),
        ({"hours": {}}, "never_open"),
        ({"holidays_country": "XX"}, "holidays"),
        ({"holidays_country": "ES", "holidays_subdiv": "ZZ"}, "holidays"),
        ({"closures": ["2026-13-01"]}, "closure"),
    ],
)
def test_bad_calendars_are_refused_with_a_code(kwargs, code):
    with pytest.raises(CalendarError) as caught:
        Calendar(**kwargs)
    assert caught.value.code == code


@pytest.mark.parametrize(
    "call",
    [
        lambda: add_business_minutes(MADRID, datetime(2026, 11, 23, 9, 0), 60),  # naive
        lambda: add_business_minutes(MADRID, madrid(2026, 11, 23, 9, 0), -1),
        lambda: add_business_minutes(MADRID, madrid(2026, 11, 23, 9, 0), float("nan")),
        lambda: add_business_days(MADRID, madrid(2026, 11, 23, 9, 0), 1.5),
        lambda: add_calendar_days(MADRID, datetime(2026, 11, 23, 9, 0), 3),  # naive
        lambda: business_minutes_between(MADRID, datetime(2026, 11, 23), madrid(2026, 11, 24)),
    ],
)
def test_bad_arguments_raise_value_error(call):
    with pytest.raises(ValueError, match="Expected"):
        call()


def test_calendar_from_dict_reads_the_file_shape():
    data = {
        "timezone": "Europe/Madrid",
        "hours": {"mon": [["08:30", "14:00"], ["15:00", "18:00"]], "sat": []},
        "holidays": {"country": "ES", "subdiv": "MD"},
        "closures": ["2026-12-24"],
    }
    calendar = calendar_from_dict(data)
    assert calendar.hours_as_json()["mon"] == data["hours"]["mon"]
    assert calendar.hours_as_json()["tue"] == []
    assert calendar.closures == {date(2026, 12, 24)}
    assert (calendar.holidays_country, calendar.holidays_subdiv) == ("ES", "MD")
    assert calendar_from_dict({"timezone": "UTC", "hours": {"sun": [["00:00", "24:00"]]}})
    for bad in ([], {"timezone": "UTC"}, {**data, "holiday": {}}, {**data, "holidays": ["ES"]}):
        with pytest.raises(CalendarError):
            calendar_from_dict(bad)


def test_calendars_are_hashable_values():
    assert Calendar(holidays_country="ES") == default_calendar()
    assert hash(Calendar(holidays_country="ES")) == hash(default_calendar())
    assert replace(MADRID, timezone="Atlantic/Canary").tz == ZoneInfo("Atlantic/Canary")


# --- property: the fast walk agrees with a minute-by-minute brute force ----------------------


class Reference:
    """Obviously right and slow: a minute is open when a range of its local day (or of a
    neighbouring day) contains it, each range mapped from wall-clock time with fold=0."""

    def __init__(self, zone, hours, country, subdiv, closures):
        self.zone, self.hours, self.closures = ZoneInfo(zone), hours, closures
        self.holidays = holidays.country_holidays(country, subdiv=subdiv) if country else {}

    def wall(self, day, hhmm):
        """A "HH:MM" on a local date, as a UTC instant ("24:00" is the next day's midnight)."""
        hour, minute = int(hhmm[:2]), int(hhmm[3:])
        if hour == 24:
            day, hour = day + timedelta(days=1), 0
        return datetime.combine(day, time(hour, minute), tzinfo=self.zone).astimezone(UTC)

    def is_open(self, moment):
        today = moment.astimezone(self.zone).date()
        for day in (today - timedelta(days=1), today, today + timedelta(days=1)):
            if day in self.closures or day in self.holidays:
                continue
            for start, end in self.hours[DAYS[day.weekday()]]:
                if self.wall(day, start) <= moment < self.wall(day, end):
                    return True
        return False

    def walk(self, start, count):
        """Open minutes in [start, start + k) for k = 0…count."""
        totals, total = [0], 0
        for step in range(count):
            total += self.is_open(start + timedelta(minutes=step))
            totals.append(total)
        return totals


ZONES = ["Europe/Madrid", "Atlantic/Canary", "America/New_York", "Australia/Lord_Howe", "UTC"]
HOLIDAYS = [(None, None), ("ES", None), ("ES", "MD"), ("ES", "CT"), ("US", "NY")]
# Range ends drawn often from the night hours in which these zones change offset (01:00–03:00).
NIGHT_CUTS = st.sampled_from([60, 90, 105, 120, 135, 150, 165, 180])


def offset_change_days(zone_name):
    """The dates of 2026–2027 whose local midnights have different UTC offsets around them."""
    zone, day, found = ZoneInfo(zone_name), date(2026, 1, 1), []
    while day.year < 2028:
        following = day + timedelta(days=1)
        if zone.utcoffset(datetime.combine(day, time(0))) != zone.utcoffset(
            datetime.combine(following, time(0))
        ):
            found.append(day)
        day = following
    return found


DST_DAYS = {zone: offset_change_days(zone) for zone in ZONES}


def minute_of_day(value):
    return f"{value // 60:02d}:{value % 60:02d}"


@st.composite
def day_ranges(draw):
    """0–3 ranges; they may touch (12:00–14:00 then 14:00–18:00) but never overlap."""
    cuts = sorted(draw(st.lists(st.one_of(st.integers(0, 1440), NIGHT_CUTS), max_size=6)))
    pairs = zip(cuts[::2], cuts[1::2], strict=False)
    return [(minute_of_day(a), minute_of_day(b)) for a, b in pairs if a < b]


@st.composite
def cases(draw):
    """(calendar spec, start): half of the starts fall shortly before a DST change of the zone."""
    zone = draw(st.sampled_from(ZONES))
    if DST_DAYS[zone] and draw(st.booleans()):
        day = draw(st.sampled_from(DST_DAYS[zone])) - timedelta(days=draw(st.integers(0, 2)))
    else:
        day = draw(st.dates(date(2026, 1, 1), date(2027, 12, 28)))
    start = datetime.combine(day, time(0), tzinfo=UTC) + timedelta(
        minutes=draw(st.integers(0, 1439))
    )
    hours = {name: draw(day_ranges()) for name in DAYS}
    if not any(hours.values()):
        hours["wed"] = [("08:00", "15:00")]
    country, subdiv = draw(st.sampled_from(HOLIDAYS))
    closures = set(draw(st.lists(st.dates(date(2026, 1, 1), date(2027, 12, 31)), max_size=8)))
    return (zone, hours, country, subdiv, closures), start


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(), span=st.integers(1, 4 * 24 * 60), data=st.data())
def test_fast_walk_matches_the_minute_by_minute_reference(case, span, data):
    spec, start = case
    calendar = Calendar(*spec)
    totals = Reference(*spec).walk(start, span)
    for k in data.draw(st.lists(st.integers(0, span), min_size=1, max_size=12), label="ends"):
        end = start + timedelta(minutes=k)
        assert business_minutes_between(calendar, start, end) == totals[k]
    targets = st.lists(st.integers(1, max(totals[-1], 1)), max_size=12 if totals[-1] else 0)
    for minutes in data.draw(targets, label="targets"):
        expected = start + timedelta(minutes=totals.index(minutes))  # the minute that completes it
        assert utc(add_business_minutes(calendar, start, minutes)) == expected
        assert business_minutes_between(calendar, start, expected) == minutes
    assert utc(add_business_minutes(calendar, start, 0)) == start
