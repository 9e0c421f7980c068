"""Email intake against a seeded database (bench/speed.py runs it; a benchmark, not a test).

    .venv/bin/python bench/intake_scale.py --count 2000 [--batch K]   # DATABASE_URL / SQLite: env

Writes `count / 2` new-case messages from the seeded organisations' contacts as .eml files, takes
them in through `inbound_receive` (the door every way in uses: store, parse, route, open the case,
notifications), then writes one reply per new case, threaded a third each by In-Reply-To (our
acknowledgement's Message-ID), by the reply address token and by the case number in the subject,
and takes those in. Prints one JSON line: messages, seconds, messages/s, threaded replies, and
the CPU time (ms) and statements per message of this process (the database server's own CPU is
not in it on PostgreSQL).

`--batch K` (default 1) hands the messages over K at a time to `inbound_receive_batch` (one
transaction to store them, one to process them, a savepoint each: what the IMAP fetcher and the
maildir/pipe batch intake do); `--batch 1` is the one-at-a-time door LMTP and the webhook use.
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=1, help="messages per transaction")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
    import django

    django.setup()
    with tempfile.TemporaryDirectory(prefix="eml-") as directory:
        print(json.dumps(run(args.count // 2, Path(directory), batch=args.batch)))


def take_in(paths, batch):
    """Receive the files, one at a time (batch 1) or `batch` per call; returns rows, wall
    seconds, CPU seconds and statements."""
    from django.db import connection

    from ventanilla.mail.intake import inbound_receive, inbound_receive_batch
    from ventanilla.mail.models import InboundEmail

    source, statements = InboundEmail.Source.PIPE, []

    def count(execute, sql, params, many, context):
        statements.append(1)
        return execute(sql, params, many, context)

    cpu, started = time.process_time(), time.perf_counter()
    with connection.execute_wrapper(count):
        if batch <= 1:
            rows = [inbound_receive(path.read_bytes(), source) for path in paths]
        else:
            rows = []
            for start in range(0, len(paths), batch):
                raws = [path.read_bytes() for path in paths[start : start + batch]]
                rows += inbound_receive_batch(raws, source)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return rows, wall, cpu, len(statements)


def run(pairs, directory, batch=1):
    from ventanilla.mail.models import OutboundEmail
    from ventanilla.mail.services import reply_address
    from ventanilla.mail.tests.builders import make_email
    from ventanilla.organizations.models import Contact

    stamp = int(time.time())
    senders = list(
        Contact.objects.filter(state="active", email__endswith=".test", user__isnull=False)
        .exclude(organization__email_domain="")
        .values_list("email", flat=True)[:200]
    )
    openers = []
    for i in range(pairs):
        path = directory / f"open-{i}.eml"
        path.write_bytes(
            make_email(
                frm=senders[i % len(senders)],
                to="bc"[i % 2] + "@soporte.localhost",
                subject=f"No arranca el terminal de caja {i}",
                body=f"Buenos días:\n\nEl terminal {i} no arranca desde esta mañana.\n\n-- \nFirma",
                message_id=f"<bench-{stamp}-open-{i}@cliente.test>",
            )
        )
        openers.append(path)
    rows, opened, open_cpu, open_q = take_in(openers, batch)
    replies = []
    for i, row in enumerate(rows):
        ticket = row.ticket
        if ticket is None:
            continue
        style = i % 3
        sent = OutboundEmail.objects.filter(ticket=ticket).order_by("pk").first()
        path = directory / f"reply-{i}.eml"
        path.write_bytes(
            make_email(
                frm=senders[i % len(senders)],
                to=reply_address(ticket) if style == 1 else "c@soporte.localhost",
                subject=f"Re: [{ticket.number}] terminal" if style == 2 else "Re: terminal",
                body=f"Sigue igual.\n\nEl lun, 2 nov 2026, Soporte escribió:\n> ¿Pruebas {i}?",
                in_reply_to=sent.message_id if (style == 0 and sent) else None,
                message_id=f"<bench-{stamp}-reply-{i}@cliente.test>",
            )
        )
        replies.append((path, ticket.pk))
    received, replied, reply_cpu, reply_q = take_in([path for path, _ in replies], batch)
    answered = list(zip(received, [pk for _, pk in replies], strict=True))
    threaded = sum(1 for row, pk in answered if row.ticket_id == pk and row.ticket_message_id)
    total = len(rows) + len(answered)
    seconds = opened + replied
    return {
        "batch": batch,
        "messages": total,
        "seconds": round(seconds, 2),
        "per_second": round(total / seconds, 1),
        "new_cases_per_second": round(len(rows) / opened, 1),
        "replies_per_second": round(len(answered) / replied, 1) if answered else 0,
        "cpu_ms_per_message": round(1000 * (open_cpu + reply_cpu) / total, 2),
        "cpu_ms_new_case": round(1000 * open_cpu / len(rows), 2),
        "cpu_ms_reply": round(1000 * reply_cpu / len(answered), 2) if answered else 0,
        "statements_new_case": round(open_q / len(rows), 2),
        "statements_reply": round(reply_q / len(answered), 2) if answered else 0,
        "opened": sum(1 for row in rows if row.ticket_id),
        "threaded": threaded,
        "quarantined": sum(1 for row in rows if row.state == "quarantined"),
    }


if __name__ == "__main__":
    main()
