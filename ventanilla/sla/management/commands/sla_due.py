"""Print an SLA deadline: a start plus one target, in a business calendar (docs/sla.md)."""

import json
from datetime import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.sla.businesstime import (
    CalendarError,
    add_24x7_minutes,
    add_business_days,
    add_business_minutes,
    add_calendar_days,
    calendar_from_dict,
)
from ventanilla.sla.calendar_errors import calendar_error_message
from ventanilla.sla.models import BusinessCalendar

# (option, argparse dest, help)
TARGETS = [
    ("--minutes", "minutes", "N business minutes (open hours only)"),
    ("--business-days", "business_days", "N business days (same local time, clamped)"),
    ("--calendar-days", "calendar_days", "N natural days (same local wall-clock time)"),
    ("--24x7-minutes", "minutes_24x7", "N minutes of elapsed time, day and night"),
]


class Command(BaseCommand):
    help = (
        "Print the deadline of an SLA target, ISO 8601 in the calendar's time zone. "
        "Calendar rules: docs/sla.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--calendar", metavar="NAME", help="name of a stored business calendar")
        parser.add_argument("--calendar-file", metavar="FILE", help="a calendar as JSON")
        parser.add_argument(
            "--start", help="ISO 8601 with an offset, e.g. 2026-11-23T09:00:00+01:00 (default: now)"
        )
        for option, dest, text in TARGETS:
            parser.add_argument(option, dest=dest, metavar="N", help=text)

    def handle(self, *args, **options):
        calendar = load_calendar(options["calendar"], options["calendar_file"])
        start = parse_start(options["start"])
        dest, amount = parse_target(options)
        try:
            deadline = compute(calendar, start, dest, amount)
        except CalendarError as error:  # e.g. closed for ten years in a row
            raise CommandError(calendar_error_message(error)) from None
        except (OverflowError, ValueError):
            raise CommandError(_("The deadline falls after the year 9999.")) from None
        self.stdout.write(deadline.isoformat())


def compute(calendar, start, dest, amount):
    if dest == "minutes":
        return add_business_minutes(calendar, start, amount)
    if dest == "business_days":
        return add_business_days(calendar, start, amount)
    if dest == "calendar_days":
        return add_calendar_days(calendar, start, amount)
    return add_24x7_minutes(start, amount, calendar.tz)


def load_calendar(name, path):
    if (name is None) == (path is None):
        raise CommandError(_("Give exactly one of --calendar NAME or --calendar-file FILE."))
    if path is not None:
        return calendar_from_file(path)
    stored = BusinessCalendar.objects.filter(name=name).first()
    if stored is None:
        raise CommandError(_("There is no business calendar named “%(name)s”.") % {"name": name})
    try:
        return stored.to_calendar()
    except CalendarError as error:
        message = _("The business calendar “%(name)s” is not valid: %(error)s")
        raise CommandError(
            message % {"name": name, "error": calendar_error_message(error)}
        ) from None


def calendar_from_file(path):
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        message = _("Cannot read the calendar file %(path)s: %(error)s")
        raise CommandError(message % {"path": path, "error": error}) from None
    try:
        return calendar_from_dict(json.loads(text))
    except json.JSONDecodeError as error:
        message = _("The calendar file %(path)s is not valid JSON: %(error)s")
        raise CommandError(message % {"path": path, "error": error}) from None
    except CalendarError as error:
        message = _("The calendar file %(path)s is not valid: %(error)s")
        raise CommandError(
            message % {"path": path, "error": calendar_error_message(error)}
        ) from None


def parse_start(value):
    if value is None:
        return timezone.now().replace(microsecond=0)
    try:
        start = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        message = _("--start is not an ISO 8601 date and time: %(value)s")
        raise CommandError(message % {"value": value}) from None
    if start.utcoffset() is None:
        message = _("--start needs a UTC offset, e.g. 2026-11-23T09:00:00+01:00 or …Z: %(value)s")
        raise CommandError(message % {"value": value})
    return start


def parse_target(options):
    given = [(option, dest) for option, dest, _text in TARGETS if options.get(dest) is not None]
    if len(given) != 1:
        raise CommandError(
            _(
                "Give exactly one target: --minutes, --business-days, --calendar-days "
                "or --24x7-minutes."
            )
        )
    option, dest = given[0]
    value = options[dest]
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or not text.isascii():
        message = _("%(option)s needs a whole number (0 or more), not %(value)s.")
        raise CommandError(message % {"option": option, "value": value})
    return dest, int(text)
