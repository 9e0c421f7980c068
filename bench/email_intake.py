"""Email intake throughput with threading (a benchmark, not a test).

    .venv/bin/python bench/email_intake.py [--count 300] [--database-url postgres://…]
                                           [--preload 100000] [--profile] [--batch K]

Builds a fresh database with the test cast (a temp SQLite file in WAL mode by default; with
`--database-url` a PostgreSQL database whose role's objects it DROPS first: never point it at
real data), then
receives `--count` new-case messages followed by `--count` replies through `inbound_receive`
(store, parse, route, thread, ticket service, SLA clocks, outbox rows), the replies threaded a
third each by In-Reply-To, reply token and case number.

Tasks use the production backend (django_tasks_db): queuing the send of an email is one row in
the task table, written right after the commit; the sending itself is the worker's job and is not
measured here (VENTANILLA_ENV=test would otherwise run it inline). `--preload N` first bulk-writes
N tickets with one incoming email each, to check that the cost does not grow with the database.
`--batch K` hands the messages over K at a time to `inbound_receive_batch` (one transaction
to store them, one to process them, a savepoint each); 1 (the default) is `inbound_receive`.
Results go to docs/email-intake.md and docs/perf-writes.md.
"""

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup(directory, database_url=None):
    os.environ.pop("DATABASE_URL", None)  # a fresh SQLite file unless a database is named
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.update(
        VENTANILLA_ENV="test",
        VENTANILLA_REAL_TASKS="1",
        VENTANILLA_SQLITE_PATH=str(Path(directory) / "bench.sqlite3"),
        VENTANILLA_VAR_DIR=str(Path(directory) / "var"),
        VENTANILLA_INTAKE_FLOOD_PER_HOUR="1000000",
        DJANGO_SETTINGS_MODULE="ventanilla.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command

    from ventanilla.testing.cast import build_cast

    if database_url:  # start from nothing: drop what the role owns, data migrations run again
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("DROP OWNED BY CURRENT_USER")
    call_command("migrate", verbosity=0)
    return build_cast()


def preload(count):
    """Bulk-write `count` closed tickets of the cast's organization, each with one stored
    incoming email, so that the measured lookups run against a big table."""
    from django.utils import timezone

    from ventanilla.mail.models import InboundEmail
    from ventanilla.organizations.models import Contact
    from ventanilla.tickets.models import Ticket

    contact = Contact.objects.filter(email="lucia@talleresebro.test").get()
    now, batch = timezone.now(), 5000
    for start in range(0, count, batch):
        size = min(batch, count - start)
        tickets = Ticket.objects.bulk_create(
            Ticket(
                number=f"P/2020/{start + i + 1}",
                organization_id=contact.organization_id,
                requester=contact,
                subject="old",
                description="old",
                status="closed",
                channel="email",
                created_at=now,
                last_activity_at=now,
            )
            for i in range(size)
        )
        InboundEmail.objects.bulk_create(
            InboundEmail(
                raw=b"x",
                source="pipe",
                dedupe_key=f"mid:old-{start + i}@preload",
                message_id=f"old-{start + i}@preload",
                content_hash="0" * 64,
                sender=f"old{(start + i) % 1000}@preload.test",
                state="processed",
                ticket=ticket,
            )
            for i, ticket in enumerate(tickets)
        )


def messages(count):
    from ventanilla.mail.tests.builders import make_email, minutes

    senders = ["lucia@talleresebro.test", "marcos@talleresebro.test", "inigo@bodegasalbar.test"]
    openers = [
        make_email(
            frm=senders[i % 3],
            subject=f"Incidencia {i}",
            body=f"Descripción {i}\n\n-- \nFirma",
            message_id=f"<b-open-{i}@bench.test>",
            date=minutes(i),
        )
        for i in range(count)
    ]
    return senders, openers


def replies_for(rows, senders):
    from ventanilla.mail.models import OutboundEmail
    from ventanilla.mail.services import reply_address
    from ventanilla.mail.tests.builders import make_email, minutes

    replies = []
    for i, row in enumerate(rows):
        ticket = row.ticket
        style = i % 3
        sent = OutboundEmail.objects.filter(ticket=ticket, template="ticket_received").first()
        replies.append(
            make_email(
                frm=senders[i % 3],
                to=reply_address(ticket) if style == 1 else "c@soporte.localhost",
                subject=f"Re: [{ticket.number}] x" if style == 2 else "Re: x",
                body=f"Respuesta {i}\n\nEl lun, 2 nov 2026, Soporte escribió:\n> cita",
                in_reply_to=sent.message_id if style == 0 else None,
                message_id=f"<b-reply-{i}@bench.test>",
                date=minutes(10_000 + i),
            )
        )
    return replies


def timed(raws, batch=1):
    from django.db import connection

    from ventanilla.mail.intake import inbound_receive, inbound_receive_batch
    from ventanilla.mail.models import InboundEmail

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(1)
        return execute(sql, params, many, context)

    cpu, started = time.process_time(), time.perf_counter()
    with connection.execute_wrapper(count):
        if batch <= 1:
            rows = [inbound_receive(raw, InboundEmail.Source.PIPE) for raw in raws]
        else:
            rows = []
            for start in range(0, len(raws), batch):
                chunk = raws[start : start + batch]
                rows += inbound_receive_batch(chunk, InboundEmail.Source.PIPE)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return rows, wall, cpu, len(queries)


def run(count, profile=False, batch=1):
    senders, openers = messages(count + 10)
    timed(openers[count:], batch)  # warm-up: templates, translations, caches, connection
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    rows, opened, open_cpu, open_q = timed(openers[:count], batch)
    threaded, answered, reply_cpu, reply_q = timed(replies_for(rows, senders), batch)
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
    pairs = zip(threaded, rows, strict=True)
    ok = sum(bool(r.ticket_id == o.ticket_id and r.ticket_message_id) for r, o in pairs)
    return {
        "opened": opened,
        "answered": answered,
        "ok": ok,
        "open_cpu": open_cpu,
        "reply_cpu": reply_cpu,
        "open_q": open_q,
        "reply_q": reply_q,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--database-url", help="a throw-away PostgreSQL database (emptied)")
    parser.add_argument("--preload", type=int, default=0, help="tickets written before measuring")
    parser.add_argument("--profile", action="store_true", help="cProfile of the measured part")
    parser.add_argument("--batch", type=int, default=1, help="messages per transaction")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        setup(directory, args.database_url)
        from django.db import connection

        if args.preload:
            started = time.perf_counter()
            preload(args.preload)
            print(f"preloaded {args.preload} tickets in {time.perf_counter() - started:.0f} s")
        r = run(args.count, args.profile, args.batch)
        vendor = connection.vendor
    n = args.count
    print(
        f"python {platform.python_version()} on {platform.machine()}, {vendor}, {n} + {n}, "
        f"batch {args.batch}"
    )
    print(
        f"new cases : {n / r['opened']:7.1f} messages/s  "
        f"{1000 * r['open_cpu'] / n:5.1f} ms CPU  {r['open_q'] / n:5.1f} queries per message"
    )
    print(
        f"replies   : {n / r['answered']:7.1f} messages/s  "
        f"{1000 * r['reply_cpu'] / n:5.1f} ms CPU  {r['reply_q'] / n:5.1f} queries per message"
        f"  ({r['ok']}/{n} threaded)"
    )
    total = 2 * n / (r["opened"] + r["answered"])
    cpu = 1000 * (r["open_cpu"] + r["reply_cpu"]) / (2 * n)
    print(f"overall   : {total:7.1f} messages/s (wall clock), {cpu:.1f} ms CPU per message")


if __name__ == "__main__":
    main()
