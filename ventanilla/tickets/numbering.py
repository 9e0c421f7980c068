"""Case numbers SERIES/YEAR/SEQ (like B/2026/4041) from a per-series-per-year counter row.

The counter row is incremented in the caller's transaction with one `UPDATE … RETURNING`
(PostgreSQL; SQLite ≥ 3.35): the UPDATE takes the row lock until the commit, so two concurrent
openings never share a number; on SQLite the IMMEDIATE transaction serialises writers anyway.
The first number of a series and year creates its row (locked get_or_create, as before).
"""

from django.db import connection, transaction

from ventanilla.tickets.models import TicketCounter


def format_number(series, year, seq):
    return f"{series}/{year}/{seq}"


def _can_return_from_update():
    if connection.vendor == "postgresql":
        return True
    if connection.vendor == "sqlite":
        return connection.Database.sqlite_version_info >= (3, 35)
    return False


_INCREMENT = (
    'UPDATE "tickets_ticketcounter" SET "last" = "last" + 1 '
    'WHERE "series" = %s AND "year" = %s RETURNING "last"'
)


def _increment(series, year):
    """The new last number, or None when the row does not exist yet (one statement)."""
    with connection.cursor() as cursor:
        cursor.execute(_INCREMENT, [series, year])
        row = cursor.fetchone()
    return row[0] if row else None


def next_ticket_number(*, series, year):
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_ticket_number must run inside a transaction")
    last = _increment(series, year) if _can_return_from_update() else None
    if last is None:
        counter, _ = TicketCounter.objects.select_for_update().get_or_create(
            series=series, year=year
        )
        counter.last += 1
        counter.save(update_fields=["last"])
        last = counter.last
    return format_number(series, year, last)
