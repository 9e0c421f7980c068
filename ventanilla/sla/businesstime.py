"""Business-time arithmetic for SLA calendars: pure (no Django), fast, correct across DST changes.

A `Calendar` says when support is open: weekly wall-clock hours in an IANA time zone (several ranges
a day), public holidays from the `holidays` package (country + optional region) and extra closure
dates. The functions answer "when is this due?" and "how much open time lies between two instants?".
Every rule (closing-time deadlines, starts outside hours, business days, DST) is in docs/sla.md.

All functions take aware datetimes (any time zone) and return aware datetimes in the calendar's
time zone. Inside, an instant is an integer: microseconds since the Unix epoch. A local day's open
ranges become such intervals once and are memoised on the calendar, so a deadline jumps over whole
ranges and days instead of stepping minute by minute.
"""

import functools
import math
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
US_PER_SECOND = 1_000_000
US_PER_MINUTE = 60 * US_PER_SECOND
SECONDS_PER_DAY = 24 * 60 * 60
US_PER_DAY = SECONDS_PER_DAY * US_PER_SECOND
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_ORDINAL = EPOCH.toordinal()
ONE_US = timedelta(microseconds=1)
# A calendar closed this many days in a row is treated as never open (rather than looping forever).
MAX_CLOSED_DAYS = 3660
# Memoised days per calendar before the memo is emptied (about 27 years of days).
DAY_MEMO_SIZE = 10_000

OFFICE_HOURS = {day: [("08:30", "18:00")] for day in DAYS[:5]}
FULL_WEEK = {day: [("00:00", "24:00")] for day in DAYS}


class CalendarError(ValueError):
    """A calendar definition that cannot be used. `code` and `params` let callers translate it."""

    MESSAGES = {
        "format": "The calendar must be an object with known keys; not understood: %(value)s.",
        "timezone": "Unknown time zone: %(value)s.",
        "day": "Unknown day %(value)s (use mon, tue, wed, thu, fri, sat, sun).",
        "time": "Not a time of day (HH:MM, from 00:00 to 24:00): %(value)s.",
        "range": "Opening ranges must end after they start and must not overlap: %(value)s.",
        "never_open": "The calendar is never open.",
        "holidays": "The holidays package knows no country or region %(value)s.",
        "closure": "Not a date (YYYY-MM-DD): %(value)s.",
    }

    def __init__(self, code, **params):
        self.code = code
        self.params = params
        super().__init__(self.MESSAGES[code] % params)


@dataclass(frozen=True)
class Calendar:
    """When support is open. `hours` maps mon…sun to lists of ("HH:MM", "HH:MM") ranges.

    Days missing from `hours` are closed; "24:00" ends a range at midnight. After construction
    `hours` is normalised to a tuple of seven tuples of (start, end) minutes since midnight, Monday
    first, which is also accepted as input.
    """

    timezone: str = "Europe/Madrid"
    hours: object = field(default_factory=lambda: OFFICE_HOURS)
    holidays_country: str | None = None
    holidays_subdiv: str | None = None
    closures: frozenset = frozenset()
    tz: ZoneInfo = field(init=False, repr=False, compare=False)
    is_24x7: bool = field(init=False, repr=False, compare=False)
    _days: dict = field(init=False, repr=False, compare=False, default_factory=dict)

    def __post_init__(self):
        setattr_ = object.__setattr__
        setattr_(self, "tz", _zone(self.timezone))
        setattr_(self, "hours", _normalise_hours(self.hours))
        setattr_(self, "closures", _normalise_closures(self.closures))
        setattr_(self, "holidays_country", (self.holidays_country or "").upper() or None)
        setattr_(self, "holidays_subdiv", self.holidays_subdiv or None)
        if self.holidays_subdiv and not self.holidays_country:
            raise CalendarError("holidays", value=self.holidays_subdiv)
        if self.holidays_country:
            _holiday_dates(self.holidays_country, self.holidays_subdiv, 2026)  # validates both
        always = self.hours == ALL_DAY_HOURS and not self.holidays_country and not self.closures
        setattr_(self, "is_24x7", always)

    def is_closed_on(self, day):
        """Whether a local date is a holiday or a closure (weekly hours aside)."""
        if day in self.closures:
            return True
        country = self.holidays_country
        return bool(country) and day in _holiday_dates(country, self.holidays_subdiv, day.year)

    def hours_as_json(self):
        """The weekly hours in the JSON shape: {"mon": [["08:30", "18:00"]], …}."""
        return {
            name: [[_format_minute(start), _format_minute(end)] for start, end in ranges]
            for name, ranges in zip(DAYS, self.hours, strict=True)
        }


def _zone(name):
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise CalendarError("timezone", value=name) from None


def _parse_minute(value):
    """ "HH:MM" (or minutes since midnight) → minutes since midnight, 0…1440."""
    if isinstance(value, int) and not isinstance(value, bool):
        minute = value
    elif isinstance(value, str) and len(value) == 5 and value[2] == ":":
        hour, colon_minute = value[:2], value[3:]
        digits = hour + colon_minute
        if not (digits.isascii() and digits.isdigit()) or int(colon_minute) > 59:
            raise CalendarError("time", value=value)
        minute = int(hour) * 60 + int(colon_minute)
    else:
        raise CalendarError("time", value=value)
    if not 0 <= minute <= MINUTES_PER_DAY:
        raise CalendarError("time", value=value)
    return minute


def _format_minute(minute):
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _normalise_day(ranges):
    try:
        pairs = [(_parse_minute(start), _parse_minute(end)) for start, end in ranges]
    except CalendarError:
        raise
    except (TypeError, ValueError):
        raise CalendarError("range", value=ranges) from None
    pairs.sort()
    for index, (start, end) in enumerate(pairs):
        overlaps = index and start < pairs[index - 1][1]
        if start >= end or overlaps:
            raise CalendarError("range", value=ranges)
    return tuple(pairs)


def _normalise_hours(hours):
    if isinstance(hours, dict):
        unknown = set(hours) - set(DAYS)
        if unknown:
            raise CalendarError("day", value=sorted(unknown)[0])
        hours = [hours.get(day) or () for day in DAYS]
    elif not isinstance(hours, list | tuple) or len(hours) != len(DAYS):
        raise CalendarError("format", value="hours")
    normalised = tuple(_normalise_day(ranges) for ranges in hours)
    if not any(normalised):
        raise CalendarError("never_open")
    return normalised


def _normalise_closures(closures):
    days = set()
    for value in closures or ():
        if isinstance(value, datetime) or not isinstance(value, date | str):
            raise CalendarError("closure", value=value)
        try:
            days.add(date.fromisoformat(value) if isinstance(value, str) else value)
        except ValueError:
            raise CalendarError("closure", value=value) from None
    return frozenset(days)


@functools.lru_cache(maxsize=1024)
def _holiday_dates(country, subdiv, year):
    """The public holidays of one country (and region) in one year, as a set of dates."""
    import holidays  # on first use: importing it costs ~0.15 s at start-up

    try:
        return frozenset(holidays.country_holidays(country, subdiv=subdiv, years=year))
    except (NotImplementedError, KeyError, ValueError):
        raise CalendarError(
            "holidays", value=f"{country}-{subdiv}" if subdiv else country
        ) from None


ALL_DAY_HOURS = _normalise_hours(FULL_WEEK)
# Always open, in UTC. `always_open("Europe/Madrid")` gives the same calendar in another zone.
ALWAYS_OPEN = Calendar(timezone="UTC", hours=FULL_WEEK)


@functools.cache
def default_calendar():
    """Seed 001: Monday to Friday 08:30–18:00 in Madrid, Spain's national holidays."""
    return Calendar(holidays_country="ES")


def always_open(timezone):
    return shared_calendar(replace(ALWAYS_OPEN, timezone=timezone))


@functools.lru_cache(maxsize=256)
def shared_calendar(calendar):
    """One instance per distinct calendar value, so that its memo of computed days is reused
    (e.g. by calendars rebuilt from the database on every request)."""
    return calendar


def calendar_from_dict(data):
    """Build a Calendar from the JSON shape used by files and the command (docs/sla.md)."""
    if not isinstance(data, dict):
        raise CalendarError("format", value=type(data).__name__)
    unknown = set(data) - {"timezone", "hours", "holidays", "closures"}
    if unknown or "timezone" not in data or "hours" not in data:
        raise CalendarError("format", value=", ".join(sorted(unknown)) or "timezone, hours")
    holidays = data.get("holidays") or {}
    if not isinstance(holidays, dict) or set(holidays) - {"country", "subdiv"}:
        raise CalendarError("format", value="holidays")
    closures = data.get("closures") or []
    if not isinstance(closures, list):
        raise CalendarError("format", value="closures")
    return Calendar(
        timezone=data["timezone"],
        hours=data["hours"],
        holidays_country=holidays.get("country"),
        holidays_subdiv=holidays.get("subdiv"),
        closures=closures,
    )


# --- instants -------------------------------------------------------------------------------


def _instant(moment):
    """An aware datetime → microseconds since the epoch."""
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise ValueError(f"Expected an aware datetime (with a time zone), got {moment!r}.")
    return (moment - EPOCH) // ONE_US


def _to_datetime(instant, zone):
    seconds, micro = divmod(instant, US_PER_SECOND)
    moment = datetime.fromtimestamp(seconds, zone)
    return moment.replace(microsecond=micro) if micro else moment


def _amount(count, unit):
    """A non-negative number of units (minutes…) → microseconds."""
    valid = isinstance(count, int | float) and not isinstance(count, bool) and math.isfinite(count)
    if not valid or count < 0:
        raise ValueError(f"Expected a number ≥ 0, got {count!r}.")
    return round(count * unit)


def _whole_count(count):
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise ValueError(f"Expected a whole number ≥ 0, got {count!r}.")
    return count


def _wall_instant(zone, ordinal, time_of_day):
    """Local wall-clock time on a local date → instant. Gap and repeated times use fold=0."""
    seconds, micro = divmod(time_of_day, US_PER_SECOND)
    extra_days, seconds = divmod(seconds, SECONDS_PER_DAY)  # 24:00 is the next day's 00:00
    day = date.fromordinal(ordinal + extra_days)
    hour, seconds = divmod(seconds, 3600)
    wall = datetime(day.year, day.month, day.day, hour, seconds // 60, seconds % 60, micro)
    wall_as_if_utc = (ordinal - EPOCH_ORDINAL) * US_PER_DAY + time_of_day
    return wall_as_if_utc - zone.utcoffset(wall) // ONE_US


def _time_of_day(local):
    seconds = (local.hour * 60 + local.minute) * 60 + local.second
    return seconds * US_PER_SECOND + local.microsecond


# --- open intervals -------------------------------------------------------------------------


def _day_intervals(calendar, ordinal):
    """The open intervals of one local date: sorted, merged (start, end) instants; () if closed."""
    found = calendar._days.get(ordinal)
    if found is None:
        if len(calendar._days) >= DAY_MEMO_SIZE:
            calendar._days.clear()
        found = calendar._days[ordinal] = _compute_day(calendar, ordinal)
    return found


def _compute_day(calendar, ordinal):
    day = date.fromordinal(ordinal)
    ranges = calendar.hours[day.weekday()]
    if not ranges or calendar.is_closed_on(day):
        return ()
    zone = calendar.tz
    spans = sorted(
        (
            _wall_instant(zone, ordinal, start * US_PER_MINUTE),
            _wall_instant(zone, ordinal, end * US_PER_MINUTE),
        )
        for start, end in ranges
    )
    merged = []
    for start, end in spans:
        if end <= start:  # a range emptied by a DST change (docs/sla.md)
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def _open_from(calendar, instant, ordinal):
    """Yield the open intervals from `instant` on, clipped to start no earlier, never overlapping.

    `ordinal` is the local date of `instant`; the walk starts a day earlier because a range that
    touches a DST change may end after local midnight.
    """
    cursor, closed_days = instant, 0
    ordinal -= 1
    while closed_days < MAX_CLOSED_DAYS:
        intervals = _day_intervals(calendar, ordinal)
        closed_days = 0 if intervals else closed_days + 1
        for start, end in intervals:
            if end > cursor:
                yield max(start, cursor), end
                cursor = end
        ordinal += 1
    raise CalendarError("never_open")


def _next_business_day(calendar, ordinal):
    memo = calendar._days
    for candidate in range(ordinal + 1, ordinal + 1 + MAX_CLOSED_DAYS):
        intervals = memo.get(candidate)
        if intervals is None:
            intervals = _day_intervals(calendar, candidate)
        if intervals:
            return candidate
    raise CalendarError("never_open")


def _is_within(intervals, instant):
    """Whether an instant lies in one of the intervals, closing times included."""
    return any(start <= instant <= end for start, end in intervals)


def _clamp(intervals, instant):
    """The instant itself when open (or at a closing time); in a gap between ranges, the end of the
    range before it; after the last range, the day's closing; before the first, its opening."""
    previous_end = None
    for start, end in intervals:
        if instant < start:
            return start if previous_end is None else previous_end
        if instant <= end:
            return instant
        previous_end = end
    return previous_end


# --- public functions -----------------------------------------------------------------------


def is_open(calendar, moment):
    """Whether support is open at this instant (opening included, closing excluded)."""
    instant = _instant(moment)  # validates before astimezone() could read a naive time as local
    ordinal = moment.astimezone(calendar.tz).toordinal()
    return any(
        start <= instant < end
        for day in (ordinal - 1, ordinal)
        for start, end in _day_intervals(calendar, day)
    )


def next_opening(calendar, moment):
    """The first open instant at or after `moment` (the moment itself when open)."""
    instant = _instant(moment)
    ordinal = moment.astimezone(calendar.tz).toordinal()
    start, _end = next(_open_from(calendar, instant, ordinal))
    return _to_datetime(start, calendar.tz)


def add_business_minutes(calendar, start, minutes):
    """The instant when `minutes` of open time have elapsed after `start`.

    A start outside hours counts from the next opening; a deadline that falls on a closing time is
    that closing time; 0 minutes returns `start` unchanged (in the calendar's zone).
    """
    instant = _instant(start)
    remaining = _amount(minutes, US_PER_MINUTE)
    local = start.astimezone(calendar.tz)
    if remaining == 0:
        return local
    if calendar.is_24x7:
        return _to_datetime(instant + remaining, calendar.tz)
    for begin, end in _open_from(calendar, instant, local.toordinal()):
        if remaining <= end - begin:
            return _to_datetime(begin + remaining, calendar.tz)
        remaining -= end - begin
    raise AssertionError("unreachable: _open_from ends by raising")


def add_business_days(calendar, start, days):
    """The same local time on the `days`-th following business day, clamped into its open hours.

    A start outside hours first moves to the next opening (a start exactly at a closing time stays
    there). 0 days returns `start` unchanged (in the calendar's zone).
    """
    instant, days = _instant(start), _whole_count(days)
    local = start.astimezone(calendar.tz)
    if days == 0:
        return local
    ordinal = local.toordinal()
    if not _is_within(_day_intervals(calendar, ordinal), instant):
        instant = next(_open_from(calendar, instant, ordinal))[0]
        local = _to_datetime(instant, calendar.tz)
        ordinal = local.toordinal()
    for _ in range(days):
        ordinal = _next_business_day(calendar, ordinal)
    wanted = _wall_instant(calendar.tz, ordinal, _time_of_day(local))
    return _to_datetime(_clamp(_day_intervals(calendar, ordinal), wanted), calendar.tz)


def add_calendar_days(calendar, start, days):
    """The same local wall-clock time `days` natural days later (holidays and hours ignored)."""
    _instant(start)
    days = _whole_count(days)
    local = start.astimezone(calendar.tz)
    if days == 0:
        return local
    wanted = _wall_instant(calendar.tz, local.toordinal() + days, _time_of_day(local))
    return _to_datetime(wanted, calendar.tz)


def add_24x7_minutes(start, minutes, zone=None):
    """`minutes` of elapsed time after `start` (DST-proof), in `zone` or else `start`'s zone."""
    instant = _instant(start) + _amount(minutes, US_PER_MINUTE)
    return _to_datetime(instant, zone or start.tzinfo)


def business_minutes_between(calendar, start, end):
    """Open minutes from `start` to `end` (a float; negative when `end` is before `start`)."""
    begin, finish = _instant(start), _instant(end)
    if finish < begin:
        return -business_minutes_between(calendar, end, start)
    if calendar.is_24x7:
        return (finish - begin) / US_PER_MINUTE
    total = 0
    ordinal = start.astimezone(calendar.tz).toordinal()
    for open_at, close_at in _open_from(calendar, begin, ordinal):
        if open_at >= finish:
            break
        total += min(close_at, finish) - open_at
    return total / US_PER_MINUTE


__all__ = [
    "ALWAYS_OPEN",
    "DAYS",
    "Calendar",
    "CalendarError",
    "add_24x7_minutes",
    "add_business_days",
    "add_business_minutes",
    "add_calendar_days",
    "always_open",
    "business_minutes_between",
    "calendar_from_dict",
    "default_calendar",
    "is_open",
    "next_opening",
    "shared_calendar",
]
