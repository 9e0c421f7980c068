"""Deadlines of SLA clocks, pure (no Django): a target in one of four units, pauses kept.

A clock measures time in its own measure: business minutes of its calendar for business units,
real minutes for 24×7 minutes and calendar days. Paused time is measured in the same measure and
pushes the deadline by that much, from the original start, so recomputing a deadline after a
change of severity or priority keeps every pause.
"""

from datetime import UTC

from ventanilla.sla.businesstime import (
    add_24x7_minutes,
    add_business_days,
    add_business_minutes,
    add_calendar_days,
    business_minutes_between,
)

BUSINESS_UNITS = ("business_minutes", "business_days")
UNITS = ("business_minutes", "business_days", "minutes_24x7", "calendar_days")


def _base(calendar, start, amount, unit):
    if unit == "business_minutes":
        return add_business_minutes(calendar, start, amount)
    if unit == "business_days":
        return add_business_days(calendar, start, amount)
    if unit == "minutes_24x7":
        return add_24x7_minutes(start, amount, calendar.tz)
    if unit == "calendar_days":
        return add_calendar_days(calendar, start, amount)
    raise ValueError(f"unknown unit {unit!r}")


def elapsed(calendar, unit, start, end):
    """Minutes between two instants in the clock's measure (negative when end < start)."""
    if unit in BUSINESS_UNITS:
        return business_minutes_between(calendar, start, end)
    return (end - start).total_seconds() / 60


def _extend(calendar, unit, moment, minutes):
    if minutes <= 0:
        return moment
    if unit in BUSINESS_UNITS:
        return add_business_minutes(calendar, moment, minutes)
    return add_24x7_minutes(moment, minutes, calendar.tz)


def deadline(calendar, start, amount, unit, paused_minutes=0):
    """When a target of `amount` `unit` started at `start` is due, after `paused_minutes`."""
    return _extend(calendar, unit, _base(calendar, start, amount, unit), paused_minutes)


def warning_instant(calendar, unit, start, due, percent):
    """The instant at which `percent` % of the time from start to due has elapsed."""
    total = elapsed(calendar, unit, start, due)
    if unit in BUSINESS_UNITS:
        return add_business_minutes(calendar, start, max(total, 0) * percent / 100)
    return add_24x7_minutes(start, max(total, 0) * percent / 100, calendar.tz)


def to_utc(moment):
    return moment.astimezone(UTC)
