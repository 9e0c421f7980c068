"""Per-process work done once when a web worker starts instead of in the first case it opens
(branch create, docs/perf-writes.md).

The first case a fresh worker opened imported the `holidays` package and computed the default
calendar's holidays, imported the Snowball stemmer and the task backend's models, all inside
`ticket_open`'s transaction: on SQLite that transaction holds the database's write lock, so every
other worker's writes waited 0.6–0.8 s (3 s where Python writes no .pyc files) behind it, once per
worker: the tail (p99) of the case-form benchmark. The URL configuration (every view module) is
imported here too, which the first request of any kind paid (≈ 0.4 s). Nothing here touches the
database (a worker forked after a `--preload` must not inherit a connection)."""

import logging

from django.utils import timezone

log = logging.getLogger(__name__)


def warm_case_opening():
    try:
        import django_tasks_db.models  # noqa: F401  (the send task's row)
        from django.urls import get_resolver

        from ventanilla.sla import clockmath
        from ventanilla.sla.businesstime import default_calendar
        from ventanilla.tickets.search import index_text

        get_resolver().url_patterns  # noqa: B018  (imports every view module, outside requests)
        now = timezone.now()
        calendar = default_calendar()  # this year's holidays and the deadline arithmetic
        for unit in clockmath.UNITS:
            clockmath.deadline(calendar, now, 8, unit, 0)
        index_text("Configuración de la impresora")  # the stemmer
    except Exception:  # never stop a worker from starting: the first case pays it, as before
        log.exception("warming up the case opening path")
