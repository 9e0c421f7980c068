"""A web worker warms the case-opening path when it starts (ventanilla/wsgi.py), without touching
the database (a worker forked after gunicorn's --preload must not inherit a connection)."""

import pytest

from ventanilla.sla.businesstime import default_calendar
from ventanilla.tickets.warmup import warm_case_opening


@pytest.mark.django_db
def test_warming_up_reads_nothing_and_leaves_the_default_calendar_built(
    django_assert_num_queries,
):
    default_calendar.cache_clear()
    with django_assert_num_queries(0):
        warm_case_opening()
    assert default_calendar.cache_info().currsize == 1


def test_the_wsgi_application_warms_up_on_import():
    from ventanilla import wsgi

    assert wsgi.warm_case_opening is warm_case_opening and wsgi.application is not None
