"""The sla_due command, and the stored calendars it reads."""

import json
from datetime import date
from io import StringIO

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from ventanilla.sla.businesstime import Calendar, default_calendar
from ventanilla.sla.models import BusinessCalendar, CalendarClosure

MADRID_FILE = {
    "timezone": "Europe/Madrid",
    "hours": {day: [["08:30", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    | {"sat": [], "sun": []},
    "holidays": {"country": "ES", "subdiv": "MD"},
    "closures": ["2026-12-24"],
}


def sla_due(*args):
    out = StringIO()
    with translation.override("en"):
        call_command("sla_due", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def calendar_file(tmp_path):
    def write(data=MADRID_FILE, name="calendar.json"):
        path = tmp_path / name
        path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
        return str(path)

    return write


@pytest.mark.parametrize(
    ("start", "target", "deadline"),
    [
        ("2026-11-23T17:00:00+01:00", ["--minutes", "180"], "2026-11-24T10:30:00+01:00"),
        ("2026-11-23T16:00:00Z", ["--minutes", "180"], "2026-11-24T10:30:00+01:00"),
        ("2026-12-23T17:00:00+01:00", ["--minutes", "120"], "2026-12-28T09:30:00+01:00"),
        ("2026-12-04T10:00:00+01:00", ["--business-days", "1"], "2026-12-09T10:00:00+01:00"),
        ("2026-11-21T11:00:00+01:00", ["--business-days", "3"], "2026-11-26T08:30:00+01:00"),
        ("2026-03-27T10:00:00+01:00", ["--calendar-days", "3"], "2026-03-30T10:00:00+02:00"),
        ("2026-03-29T00:30:00Z", ["--24x7-minutes", "60"], "2026-03-29T03:30:00+02:00"),
        ("2026-11-21T11:00:00+01:00", ["--minutes", "0"], "2026-11-21T11:00:00+01:00"),
    ],
)
def test_deadline_from_a_calendar_file(calendar_file, start, target, deadline):
    output = sla_due("--calendar-file", calendar_file(), "--start", start, *target)
    assert output == deadline + "\n"


def test_split_hours_in_a_file(calendar_file):
    data = {"timezone": "Europe/Madrid", "hours": {"mon": [["09:00", "14:00"], ["15:00", "18:00"]]}}
    path = calendar_file(data)
    output = sla_due(
        "--calendar-file", path, "--start", "2026-11-23T13:30:00+01:00", "--minutes", "60"
    )
    assert output == "2026-11-23T15:30:00+01:00\n"


@pytest.mark.django_db
def test_deadline_from_a_stored_calendar_with_closures():
    calendar = BusinessCalendar.objects.create(name="Madrid", holidays_subdivision="MD")
    CalendarClosure.objects.create(calendar=calendar, date=date(2026, 11, 24), name="Cierre")
    args = ["--calendar", "Madrid", "--start", "2026-11-23T17:00:00+01:00", "--minutes", "180"]
    assert sla_due(*args) == "2026-11-25T10:30:00+01:00\n"


@pytest.mark.django_db
def test_a_stored_24x7_calendar_ignores_hours():
    BusinessCalendar.objects.create(name="Críticos", timezone="Atlantic/Canary", is_24x7=True)
    args = ["--calendar", "Críticos", "--start", "2026-11-21T23:30:00Z", "--minutes", "60"]
    assert sla_due(*args) == "2026-11-22T00:30:00+00:00\n"


def test_start_defaults_to_now(calendar_file):
    with time_machine.travel("2026-11-23T08:00:00Z", tick=False):
        output = sla_due("--calendar-file", calendar_file(), "--minutes", "60")
    assert output == "2026-11-23T10:00:00+01:00\n"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--minutes", "60"], "Give exactly one of --calendar NAME or --calendar-file FILE."),
        (["--calendar", "Nope", "--minutes", "60"], "There is no business calendar named “Nope”."),
        (["FILE", "--start", "2026-11-23T09:00:00", "--minutes", "60"], "needs a UTC offset"),
        (["FILE", "--start", "next monday", "--minutes", "60"], "not an ISO 8601 date and time"),
        (["FILE"], "Give exactly one target"),
        (["FILE", "--minutes", "60", "--business-days", "1"], "Give exactly one target"),
        (["FILE", "--minutes", "-5"], "--minutes needs a whole number (0 or more), not -5."),
        (["FILE", "--business-days", "1.5"], "--business-days needs a whole number"),
    ],
)
def test_bad_arguments_get_a_clear_error(calendar_file, args, message):
    args = [arg if arg != "FILE" else "--calendar-file" for arg in args]
    if "--calendar-file" in args:
        args.insert(args.index("--calendar-file") + 1, calendar_file())
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        sla_due(*args)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON"),
        ({**MADRID_FILE, "timezone": "Europe/Atlantis"}, "Unknown time zone: Europe/Atlantis."),
        ({**MADRID_FILE, "hours": {"mon": [["9:00", "18:00"]]}}, "Not a time of day"),
        ({**MADRID_FILE, "holidays": {"country": "ES", "subdiv": "XX"}}, "knows no country"),
        ({**MADRID_FILE, "closures": ["24/12/2026"]}, "Not a date"),
        ({"hours": MADRID_FILE["hours"]}, "known keys"),
    ],
)
def test_bad_calendar_files_get_a_clear_error(calendar_file, content, message):
    path = calendar_file(content)
    with pytest.raises(CommandError, match=message):
        sla_due("--calendar-file", path, "--minutes", "60")


def test_a_deadline_beyond_year_9999(calendar_file):
    with pytest.raises(CommandError, match="after the year 9999"):
        sla_due("--calendar-file", calendar_file(), "--calendar-days", "3000000")


def test_a_missing_calendar_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read the calendar file"):
        sla_due("--calendar-file", str(tmp_path / "missing.json"), "--minutes", "60")


def test_errors_are_translated():
    with translation.override("es"), pytest.raises(CommandError) as caught:
        call_command("sla_due", "--minutes", "60")
    with translation.override("es"):
        expected = translation.gettext(
            "Give exactly one of --calendar NAME or --calendar-file FILE."
        )
    assert str(caught.value) == expected


# --- the stored calendar ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_default_stored_calendar_is_seed_001():
    stored = BusinessCalendar.objects.create(name="Oficina")
    assert stored.to_calendar() == default_calendar()


@pytest.mark.django_db
def test_to_calendar_reads_closures_and_shares_equal_values():
    stored = BusinessCalendar.objects.create(name="Madrid", holidays_subdivision="MD")
    CalendarClosure.objects.create(calendar=stored, date=date(2026, 12, 24))
    calendar = stored.to_calendar()
    assert calendar == Calendar(
        holidays_country="ES", holidays_subdiv="MD", closures=[date(2026, 12, 24)]
    )
    assert BusinessCalendar.objects.get(pk=stored.pk).to_calendar() is calendar


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"hours": {"mon": [["18:00", "08:30"]]}}, "hours"),
        ({"hours": {"lunes": [["08:30", "18:00"]]}}, "hours"),
        ({"holidays_country": "XX"}, "holidays_country"),
    ],
)
def test_clean_points_at_the_bad_field(fields, field):
    stored = BusinessCalendar(name="Mala", **fields)
    with pytest.raises(ValidationError) as caught:
        stored.clean()
    assert field in caught.value.message_dict
