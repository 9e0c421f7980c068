"""Email intake throughput with threading (a benchmark, not a test).

    .venv/bin/python bench/email_intake.py [--count 300]

Builds a fresh SQLite database (WAL) in a temp dir with the test cast, then receives `--count`
new-case messages followed by `--count` replies through `inbound_receive` (store, parse, route,
thread, ticket service, notification rows), the replies threaded a third each by In-Reply-To,
reply token and case number. Outgoing mail goes to memory (VENTANILLA_ENV=test), so the figure
is intake alone. Results go to docs/email-intake.md.
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


def setup(directory):
    os.environ.pop("DATABASE_URL", None)  # always a fresh SQLite file, never a real database
    os.environ.update(
        VENTANILLA_ENV="test",
        VENTANILLA_SQLITE_PATH=str(Path(directory) / "bench.sqlite3"),
        VENTANILLA_VAR_DIR=str(Path(directory) / "var"),
        VENTANILLA_INTAKE_FLOOD_PER_HOUR="1000000",
        DJANGO_SETTINGS_MODULE="ventanilla.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command

    from ventanilla.testing.cast import build_cast

    call_command("migrate", verbosity=0)
    return build_cast()


def run(count):
    from ventanilla.mail.intake import inbound_receive
    from ventanilla.mail.models import InboundEmail, OutboundEmail
    from ventanilla.mail.services import reply_address
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
    cpu = time.process_time()
    started = time.perf_counter()
    rows = [inbound_receive(raw, InboundEmail.Source.PIPE) for raw in openers]
    opened = time.perf_counter() - started
    replies = []
    for i, row in enumerate(rows):
        ticket = row.ticket
        style = i % 3
        sent = OutboundEmail.objects.filter(ticket=ticket).first()
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
    started = time.perf_counter()
    threaded = [inbound_receive(raw, InboundEmail.Source.PIPE) for raw in replies]
    answered = time.perf_counter() - started
    pairs = zip(threaded, rows, strict=True)
    ok = sum(bool(r.ticket_id == o.ticket_id and r.ticket_message_id) for r, o in pairs)
    return opened, answered, ok, time.process_time() - cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        setup(directory)
        opened, answered, ok, cpu = run(args.count)
    print(f"python {platform.python_version()} on {platform.machine()}, SQLite WAL, {args.count}")
    print(f"new cases : {args.count / opened:7.1f} messages/s")
    print(f"replies   : {args.count / answered:7.1f} messages/s ({ok}/{args.count} threaded)")
    total = 2 * args.count / (opened + answered)
    print(f"overall   : {total:7.1f} messages/s (wall clock)")
    print(f"CPU       : {1000 * cpu / (2 * args.count):7.1f} ms per message (this process)")


if __name__ == "__main__":
    main()
