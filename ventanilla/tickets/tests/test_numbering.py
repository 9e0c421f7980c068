import threading
from datetime import UTC, datetime

import pytest
from django.db import connection, transaction

from ventanilla.tickets.models import Ticket, TicketCounter
from ventanilla.tickets.numbering import format_number, next_ticket_number


def test_number_format_is_series_year_sequence():
    assert format_number("B", 2026, 4041) == "B/2026/4041"


@pytest.mark.django_db
def test_numbers_count_up_per_series_and_year():
    with transaction.atomic():
        first = next_ticket_number(series="B", year=2026)
        second = next_ticket_number(series="B", year=2026)
        other_series = next_ticket_number(series="A", year=2026)
        next_year = next_ticket_number(series="B", year=2027)
    assert (first, second) == ("B/2026/1", "B/2026/2")
    assert other_series == "A/2026/1"
    assert next_year == "B/2027/1"


@pytest.mark.django_db(transaction=True)
def test_numbering_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        next_ticket_number(series="B", year=2026)


def test_ticket_number_is_not_the_primary_key():
    assert Ticket._meta.pk.name == "id"
    assert Ticket._meta.get_field("number").unique


@pytest.mark.django_db
def test_ticket_open_uses_the_year_of_its_date(make_ticket):
    ticket = make_ticket(now=datetime(2025, 12, 31, 23, 30, tzinfo=UTC))
    assert ticket.number == "C/2025/1"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_openings_never_share_a_number(cast):
    """Threads open tickets at once on PostgreSQL; every number must be distinct and gapless."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL")
    from ventanilla.testing.factories import open_ticket

    threads_count, per_thread = 8, 5
    barrier = threading.Barrier(threads_count)
    numbers, errors = [], []

    def worker():
        try:
            barrier.wait()
            for _ in range(per_thread):
                numbers.append(open_ticket(cast).number)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    total = threads_count * per_thread
    assert len(set(numbers)) == total
    year = datetime.now(UTC).year
    assert sorted(int(n.rsplit("/", 1)[1]) for n in numbers) == list(range(1, total + 1))
    assert TicketCounter.objects.get(series="C", year=year).last == total


@pytest.mark.django_db
def test_a_number_costs_one_statement_once_the_counter_exists(django_assert_num_queries):
    with transaction.atomic():
        next_ticket_number(series="B", year=2026)
        with django_assert_num_queries(1):  # UPDATE … RETURNING
            assert next_ticket_number(series="B", year=2026) == "B/2026/2"
    assert TicketCounter.objects.get(series="B", year=2026).last == 2


@pytest.mark.django_db
def test_numbering_without_returning_falls_back_to_the_locked_row(monkeypatch):
    from ventanilla.tickets import numbering

    monkeypatch.setattr(numbering, "_can_return_from_update", lambda: False)
    with transaction.atomic():
        first = next_ticket_number(series="B", year=2026)
        second = next_ticket_number(series="B", year=2026)
    assert (first, second) == ("B/2026/1", "B/2026/2")
