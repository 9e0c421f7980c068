"""Stored business calendars are built once per configuration change (round 4): a closure or a
calendar saved in the admin reaches the next deadline at once, and computing deadlines no longer
reads the closures clock by clock."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ventanilla.mail.stamps import forget_transaction_memo
from ventanilla.sla.businesstime import add_business_minutes
from ventanilla.sla.models import BusinessCalendar, CalendarClosure, SlaPolicy
from ventanilla.sla.services import calendar_of

pytestmark = pytest.mark.django_db
MADRID = ZoneInfo("Europe/Madrid")
FRIDAY_5PM = datetime(2026, 12, 11, 17, 0, tzinfo=MADRID)


@pytest.fixture
def policy():
    calendar = BusinessCalendar.objects.create(name="Taller", holidays_country="")
    policy = SlaPolicy.objects.filter(is_active=True).first()
    policy.calendar = calendar
    policy.save()
    return policy


def due(policy):
    return add_business_minutes(calendar_of(policy), FRIDAY_5PM, 120)


def test_a_closure_saved_moves_the_next_deadline_at_once(policy):
    assert due(policy) == datetime(2026, 12, 14, 9, 30, tzinfo=MADRID)  # Monday
    closure = CalendarClosure.objects.create(
        calendar=policy.calendar, date=date(2026, 12, 14), name="Inventario"
    )
    assert due(policy) == datetime(2026, 12, 15, 9, 30, tzinfo=MADRID)  # Tuesday
    closure.delete()
    assert due(policy) == datetime(2026, 12, 14, 9, 30, tzinfo=MADRID)


def test_a_calendar_saved_reaches_the_next_deadline(policy):
    due(policy)
    policy.calendar.hours = {"mon": [["10:00", "18:00"]], "fri": [["08:30", "18:00"]]}
    policy.calendar.save()
    assert due(policy) == datetime(2026, 12, 14, 11, 0, tzinfo=MADRID)


def test_deadlines_on_a_stored_calendar_do_not_read_its_closures_each_time(policy):
    CalendarClosure.objects.create(calendar=policy.calendar, date=date(2026, 12, 24))
    due(policy)  # built once
    forget_transaction_memo()
    with CaptureQueriesContext(connection) as context:
        for _ in range(3):  # the three clocks of an opening
            due(policy)
    assert len(context.captured_queries) == 1, context.captured_queries  # the stamp, once
