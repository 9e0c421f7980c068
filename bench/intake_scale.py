"""Email intake against a seeded database (bench/speed.py runs it; a benchmark, not a test).

    .venv/bin/python bench/intake_scale.py --count 2000     # DATABASE_URL / SQLite from the env

Writes `count / 2` new-case messages from the seeded organisations' contacts as .eml files, takes
them in through `inbound_receive` (the door every way in uses: store, parse, route, open the case,
notifications), then writes one reply per new case, threaded a third each by In-Reply-To (our
acknowledgement's Message-ID), by the reply address token and by the case number in the subject,
and takes those in. Prints one JSON line: messages, seconds, messages/s, threaded replies.
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
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
    import django

    django.setup()
    with tempfile.TemporaryDirectory(prefix="eml-") as directory:
        print(json.dumps(run(args.count // 2, Path(directory))))


def run(pairs, directory):
    from ventanilla.mail.intake import inbound_receive
    from ventanilla.mail.models import InboundEmail, OutboundEmail
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
    source = InboundEmail.Source.PIPE
    started = time.perf_counter()
    rows = [inbound_receive(path.read_bytes(), source) for path in openers]
    opened = time.perf_counter() - started
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
    started = time.perf_counter()
    answered = [(inbound_receive(path.read_bytes(), source), pk) for path, pk in replies]
    replied = time.perf_counter() - started
    threaded = sum(1 for row, pk in answered if row.ticket_id == pk and row.ticket_message_id)
    total = len(rows) + len(answered)
    seconds = opened + replied
    return {
        "messages": total,
        "seconds": round(seconds, 2),
        "per_second": round(total / seconds, 1),
        "new_cases_per_second": round(len(rows) / opened, 1),
        "replies_per_second": round(len(answered) / replied, 1) if answered else 0,
        "opened": sum(1 for row in rows if row.ticket_id),
        "threaded": threaded,
        "quarantined": sum(1 for row in rows if row.state == "quarantined"),
    }


if __name__ == "__main__":
    main()
