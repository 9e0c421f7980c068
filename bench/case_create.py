"""Case creation through the customer form, in process (a benchmark, not a test).

    .venv/bin/python bench/case_create.py [--count 300] [--database-url postgres://…]
                                          [--follow] [--profile]

What it measures: Django's test Client, logged in as the cast's customer (Lucía, consent given),
POSTs the real form of `/area/casos/nuevo/` (`portal:case_new`: middleware, session, form
validation, `tickets.services.ticket_open` with the SLA clocks, the events, the outbox rows of
the acknowledgement and the agents' notice, the tasks that will send them) and gets the 302 to
the case. `--follow` also renders the case page it redirects to (a read path, owned elsewhere).
The test Client skips the CSRF check and the WSGI server; tasks use the production database
backend (VENTANILLA_REAL_TASKS=1), so sending the two emails is the worker's job, not measured.

A fresh SQLite file in WAL mode by default; `--database-url` names a throw-away PostgreSQL
database (everything its role owns is dropped first: never point it at real data).
Results go to docs/perf-writes.md.
"""

import argparse
import cProfile
import platform
import pstats
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from email_intake import setup  # noqa: E402  (same fresh database and cast)


def form_data(cast, i):
    return {
        "request_type": cast.request_type.pk,
        "product": cast.products["erp"].pk,
        "product_version": "",
        "severity": "B",
        "subject": f"No puedo exportar el modelo 303 ({i})",
        "description": f"Al pulsar Exportar aparece «Error 500».\r\nDesde ayer ({i}).",
        "callback_phone": "",
        "consent": "on",
    }


def create(client, cast, indexes, follow):
    from django.db import connection
    from django.urls import reverse

    url, queries = reverse("portal:case_new"), []

    def count(execute, sql, params, many, context):
        queries.append(1)
        return execute(sql, params, many, context)

    cpu, started = time.process_time(), time.perf_counter()
    with connection.execute_wrapper(count):
        for i in indexes:
            response = client.post(url, form_data(cast, i), follow=follow)
            expected = 200 if follow else 302
            assert response.status_code == expected, (response.status_code, i)
            # A browser follows the redirect, whose page shows (and so consumes) the "case
            # open" message; wrk never sends the cookie back. Without this, the unread
            # messages piled up in the cookie and then in the session, request after request.
            client.cookies.pop("messages", None)
    return time.perf_counter() - started, time.process_time() - cpu, len(queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--database-url", help="a throw-away PostgreSQL database (emptied)")
    parser.add_argument("--follow", action="store_true", help="also render the case page")
    parser.add_argument("--profile", action="store_true", help="cProfile of the measured part")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        cast = setup(directory, args.database_url)
        from django.db import connection
        from django.test import Client

        from ventanilla.mail.models import OutboundEmail
        from ventanilla.sla.models import SlaClock
        from ventanilla.tickets.models import Ticket

        client = Client()
        client.force_login(cast.customer)
        create(client, cast, range(10), args.follow)  # warm-up
        profiler = cProfile.Profile() if args.profile else None
        if profiler:
            profiler.enable()
        wall, cpu, queries = create(client, cast, range(10, 10 + args.count), args.follow)
        if profiler:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
        n = args.count
        tickets = Ticket.objects.count()
        per_case = (SlaClock.objects.count() / tickets, OutboundEmail.objects.count() / tickets)
        vendor = connection.vendor
    print(f"python {platform.python_version()} on {platform.machine()}, {vendor}, {n} cases")
    print(
        f"case form: {n / wall:7.1f} creations/s  {1000 * cpu / n:5.1f} ms CPU  "
        f"{queries / n:5.1f} queries per creation  "
        f"({per_case[0]:.0f} SLA clocks, {per_case[1]:.0f} outbox rows per case)"
    )


if __name__ == "__main__":
    main()
