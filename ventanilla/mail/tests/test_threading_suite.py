"""Threading bar: real-looking replies from Outlook, Gmail, Thunderbird, forwards, reply-all and
out-of-order batches all land on their case: 100 % threaded, 0 duplicates, quotes stripped."""

import random

from ventanilla.mail.intake import inbound_receive_batch
from ventanilla.mail.models import InboundEmail, OutboundEmail
from ventanilla.mail.services import reply_address
from ventanilla.mail.tests.builders import make_email, minutes
from ventanilla.tickets.models import Message, Participant, Ticket

LUCIA = "Lucía Gimeno <lucia@talleresebro.test>"
MARCOS = "Marcos Lafuente <marcos@talleresebro.test>"
INIGO = "Iñigo <inigo@bodegasalbar.test>"
S = InboundEmail.State

OUTLOOK_QUOTE = """

________________________________
De: Soporte <soporte@soporte.localhost>
Enviado: lunes, 2 de noviembre de 2026 10:00
Para: Lucía Gimeno
Asunto: {subject}

Hemos recibido su caso.
"""
GMAIL_QUOTE = """

El lun, 2 nov 2026 a las 10:00, Soporte (<soporte@soporte.localhost>)
escribió:

> Hemos recibido su caso.
> Un saludo
"""
THUNDERBIRD_QUOTE = """

On 02/11/2026 10:00, Soporte wrote:
> Hemos recibido su caso.
"""
SIGNATURE = "\n\n-- \nLucía Gimeno\nTalleres Ebro S.L.\n"


def openers(n):
    raws, ids = [], []
    for i in range(n):
        frm = INIGO if i % 5 == 4 else (LUCIA if i % 2 else MARCOS)
        message_id = f"<open-{i}@cliente.test>"
        ids.append(message_id)
        raws.append(
            make_email(
                frm=frm,
                subject=f"Incidencia número {i}",
                body=f"Descripción de la incidencia {i}.{SIGNATURE}",
                message_id=message_id,
                date=minutes(i),
            )
        )
    return raws, ids


def replies_for(i, ticket, opener_id):
    """Eight styles of answer to case `ticket`, each with its own new text."""
    sent = OutboundEmail.objects.filter(ticket=ticket).order_by("created_at").first()
    frm = ticket.requester.email
    number, subject = ticket.number, ticket.subject
    base = 100 + i * 10
    return [
        # Thunderbird: In-Reply-To + References to our acknowledgement
        make_email(
            frm=frm,
            subject=f"Re: [{number}] {subject}",
            body=f"tb-{i}{THUNDERBIRD_QUOTE}",
            in_reply_to=sent.message_id,
            references=f"{opener_id} {sent.message_id}",
            date=minutes(base + 1),
            message_id=f"<tb-{i}@cliente.test>",
        ),
        # References only (a client that drops In-Reply-To), subject rewritten
        make_email(
            frm=frm,
            subject="otra cosa sin número",
            body=f"refs-{i}{GMAIL_QUOTE}",
            references=opener_id,
            date=minutes(base + 2),
            message_id=f"<refs-{i}@cliente.test>",
        ),
        # Outlook: RE: with the number, no threading headers at all, quoted header block
        make_email(
            frm=frm,
            subject=f"RE: [{number}] {subject}",
            body=f"outlook-{i}" + OUTLOOK_QUOTE.format(subject=subject),
            headers={"Thread-Index": "AdlxyzABCDEF", "X-Mailer": "Microsoft Outlook 16.0"},
            date=minutes(base + 3),
            message_id=f"<outlook-{i}@cliente.test>",
        ),
        # Reply token in the address only (new subject, no headers)
        make_email(
            frm=frm,
            to=reply_address(ticket),
            subject="Adjunto lo que pedían",
            body=f"token-{i}{SIGNATURE}",
            date=minutes(base + 4),
            message_id=f"<token-{i}@cliente.test>",
        ),
        # Gmail: attribution folded over two lines, References chain of the thread
        make_email(
            frm=frm,
            subject=f"Re: {subject}",
            body=f"gmail-{i}{GMAIL_QUOTE}",
            in_reply_to=f"<tb-{i}@cliente.test>",
            references=f"{opener_id} {sent.message_id} <tb-{i}@cliente.test>",
            date=minutes(base + 5),
            message_id=f"<gmail-{i}@cliente.test>",
        ),
        # Forwarded by the requester with the number in the subject
        make_email(
            frm=frm,
            subject=f"RV: [{number}] {subject}",
            body=(
                f"fwd-{i}\n\n---------- Forwarded message ---------\n"
                "De: Proveedor <p@proveedor.test>\nFecha: 1 nov 2026\nAsunto: aviso\n\nAviso."
            ),
            date=minutes(base + 6),
            message_id=f"<fwd-{i}@cliente.test>",
        ),
        # Reply to a reply that is in the same batch (fed before its parent, dated after it)
        make_email(
            frm=frm,
            subject=f"Re: Re: {subject}",
            body=f"child-{i}{THUNDERBIRD_QUOTE}",
            in_reply_to=f"<gmail-{i}@cliente.test>",
            references=f"{opener_id} <gmail-{i}@cliente.test>",
            date=minutes(base + 7),
            message_id=f"<child-{i}@cliente.test>",
        ),
        # Reply-all: To the token address, CC a colleague and the intake address
        make_email(
            frm=frm,
            to=reply_address(ticket),
            cc=f"{MARCOS if frm != 'marcos@talleresebro.test' else LUCIA}, c@soporte.localhost",
            subject=f"Re: [{number}] {subject}",
            body=f"all-{i}{GMAIL_QUOTE}",
            in_reply_to=sent.message_id,
            date=minutes(base + 8),
            message_id=f"<all-{i}@cliente.test>",
        ),
    ]


def test_every_reply_threads_once_into_its_case(cast, settings):
    settings.VENTANILLA_INTAKE_FLOOD_PER_HOUR = 1000
    n = 10
    raws, ids = openers(n)
    opened = inbound_receive_batch(raws, InboundEmail.Source.IMAP)
    assert [row.state for row in opened] == [S.PROCESSED] * n
    tickets = [row.ticket for row in opened]
    batch, expected = [], {}
    for i, (ticket, opener_id) in enumerate(zip(tickets, ids, strict=True)):
        for raw in replies_for(i, ticket, opener_id):
            batch.append(raw)
            expected[raw] = ticket
    random.Random(7).shuffle(batch)
    batch = batch + batch[:20]  # the same messages again: never twice
    rows = inbound_receive_batch(batch, InboundEmail.Source.IMAP)

    threaded = sum(row.ticket_id == expected[raw].pk for raw, row in zip(batch, rows, strict=True))
    misses = [
        (r.subject, r.state, r.reason, r.error[:80])
        for raw, r in zip(batch, rows, strict=True)
        if r.ticket_id != expected[raw].pk
    ]
    assert threaded == len(batch), misses
    assert Ticket.objects.count() == n, "no reply opened a case"
    assert InboundEmail.objects.count() == n + len(expected), "stored once each"
    for ticket in tickets:
        messages = Message.objects.filter(ticket=ticket).order_by("created_at")
        texts = [m.body_text for m in messages]
        assert len(texts) == 8, texts
        assert all(
            text.split("\n")[0].split("-")[0]
            in {"tb", "refs", "outlook", "token", "gmail", "fwd", "child", "all"}
            for text in texts
        )
        stripped = [t for t in texts if not t.startswith("fwd-")]
        assert all("\n" not in t for t in stripped), stripped  # quotes and signatures gone
        assert "Forwarded message" in next(t for t in texts if t.startswith("fwd-"))
    # reply-all made the colleague an authorised contact of org A's cases
    org_a_case = next(t for t in tickets if t.requester.email == "lucia@talleresebro.test")
    assert Participant.objects.filter(
        ticket=org_a_case, contact__email="marcos@talleresebro.test"
    ).exists()


def test_order_in_a_batch_follows_the_date_header(cast):
    opener = make_email(frm=LUCIA, message_id="<p@x.test>", date=minutes(0))
    child = make_email(
        frm=LUCIA, subject="Re: algo", body="hijo", in_reply_to="<p@x.test>", date=minutes(5)
    )
    rows = inbound_receive_batch([child, opener], InboundEmail.Source.IMAP)
    assert rows[0].ticket == rows[1].ticket and rows[0].ticket_message is not None
