"""Case numbers SERIES/YEAR/SEQ (like B/2026/4041) from a per-series-per-year counter row.

The counter row is locked (select_for_update) inside the caller's transaction, so two concurrent
openings never share a number; on SQLite the IMMEDIATE transaction serialises writers anyway.
"""

from django.db import transaction

from ventanilla.tickets.models import TicketCounter


def format_number(series, year, seq):
    return f"{series}/{year}/{seq}"


def next_ticket_number(*, series, year):
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_ticket_number must run inside a transaction")
    counter, _ = TicketCounter.objects.select_for_update().get_or_create(series=series, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return format_number(series, year, counter.last)
