"""Email intake end to end through `inbound_receive`: store first, route, thread, safety."""

import pytest
from django.core import mail as django_mail

from ventanilla.mail import intake
from ventanilla.mail.intake import inbound_receive, inbound_release_held, inbound_reprocess_now
from ventanilla.mail.models import InboundEmail, IntakeAddress, OutboundEmail
from ventanilla.mail.services import reply_address
from ventanilla.mail.tests.builders import make_email, minutes
from ventanilla.organizations.models import Contact
from ventanilla.organizations.services import contact_approve
from ventanilla.testing.factories import EXE_BYTES
from ventanilla.tickets.models import Channel, Message, Participant, Ticket
from ventanilla.tickets.workflow import Status

LUCIA = "Lucía Gimeno <lucia@talleresebro.test>"
S = InboundEmail.State


def receive(raw):
    return inbound_receive(raw, InboundEmail.Source.PIPE)


@pytest.fixture
def lucia_case(cast):
    row = receive(make_email(frm=LUCIA, to="b@soporte.localhost", message_id="<first@ebro.test>"))
    assert row.state == S.PROCESSED, row.error
    return row.ticket


def test_default_addresses_come_from_seed_003(db):
    severities = dict(IntakeAddress.objects.values_list("address", "severity"))
    assert severities == {
        "a@soporte.localhost": "A",
        "b@soporte.localhost": "B",
        "c@soporte.localhost": "C",
    }


def test_new_message_opens_case_with_the_address_severity(cast, lucia_case):
    ticket = lucia_case
    assert ticket.severity == "B"
    assert ticket.channel == Channel.EMAIL
    assert ticket.requester == cast.contacts["customer"]
    row = InboundEmail.objects.get(ticket=ticket)
    assert bytes(row.raw).startswith(b"From:") or b"From: " in bytes(row.raw)
    assert row.message_id == "first@ebro.test"
    received = OutboundEmail.objects.get(ticket=ticket, template="ticket_received")
    assert received.headers["Reply-To"] == reply_address(ticket)
    assert ticket.number in received.subject
    assert received.headers["In-Reply-To"] == "<first@ebro.test>"


def test_same_message_twice_is_stored_once(cast):
    raw = make_email(frm=LUCIA, message_id="<dup@ebro.test>")
    first, second = receive(raw), receive(raw)
    assert first.pk == second.pk
    assert Ticket.objects.count() == 1


def test_without_message_id_the_content_hash_dedupes(cast):
    raw = make_email(frm=LUCIA, message_id=False)
    receive(raw)
    receive(raw)
    assert InboundEmail.objects.count() == 1
    assert InboundEmail.objects.get().dedupe_key.startswith("sha:")


def reply(ticket, **kwargs):
    defaults = {
        "frm": LUCIA,
        "to": "c@soporte.localhost",
        "subject": "Re: otra cosa",
        "body": "Ya funciona.\n\nEl lun, 2 nov 2026 a las 9:00, Soporte escribió:\n> texto viejo",
        "date": minutes(30),
    }
    return receive(make_email(**{**defaults, **kwargs}))


def test_in_reply_to_our_outgoing_mail_threads_and_strips_the_quote(lucia_case):
    sent = OutboundEmail.objects.get(ticket=lucia_case, template="ticket_received")
    row = reply(lucia_case, in_reply_to=sent.message_id)
    assert row.ticket == lucia_case and row.state == S.PROCESSED
    assert row.ticket_message.body_text == "Ya funciona."
    assert Ticket.objects.count() == 1


def test_references_only_threads(lucia_case):
    row = reply(lucia_case, references="<unknown@x.test> <first@ebro.test>")
    assert row.ticket == lucia_case


def test_token_in_address_threads(lucia_case):
    row = reply(lucia_case, to=reply_address(lucia_case))
    assert row.ticket == lucia_case


def test_forged_token_does_not_thread(lucia_case):
    forged = reply_address(lucia_case).replace("x", "x0", 1)
    row = reply(lucia_case, to=forged, subject="Nuevo")
    assert row.ticket != lucia_case


def test_case_number_in_subject_threads(lucia_case):
    row = reply(lucia_case, subject=f"RE: [{lucia_case.number}] llamadas")
    assert row.ticket == lucia_case


def test_never_threads_into_another_organization(cast, lucia_case):
    outsider = Contact.objects.get(email="inigo@bodegasalbar.test")
    row = reply(
        lucia_case,
        frm=outsider.email,
        subject=f"Re: [{lucia_case.number}]",
        in_reply_to="<first@ebro.test>",
    )
    assert row.ticket != lucia_case
    assert row.ticket.organization == outsider.organization


def test_unknown_sender_of_known_domain_is_held_until_approved(cast):
    row = receive(make_email(frm="Nuevo <nuevo@talleresebro.test>"))
    assert (row.state, row.reason) == (S.QUARANTINED, "pending_approval")
    contact = Contact.objects.get(email="nuevo@talleresebro.test")
    assert contact.state == Contact.State.PENDING
    assert Ticket.objects.count() == 0 and not django_mail.outbox
    contact_approve(contact=contact, by=cast.users["admin"])
    assert inbound_release_held() == 1
    row.refresh_from_db()
    assert row.state == S.PROCESSED and row.ticket.requester == contact


def test_unknown_sender_without_organization_is_quarantined_then_reprocessed(cast):
    row = receive(make_email(frm="quien@desconocido.test"))
    assert (row.state, row.reason) == (S.QUARANTINED, "unknown_sender")
    org = cast.orgs["a"]
    Contact.objects.create(organization=org, name="Quién", email="quien@desconocido.test")
    row = inbound_reprocess_now(inbound=row)
    assert row.state == S.PROCESSED and row.ticket is not None


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"X-Autoreply": "yes"},
        {"Precedence": "bulk"},
        {"X-Auto-Response-Suppress": "All"},
        {"Return-Path": "<>"},
        {"List-Id": "<lista.example.test>"},
    ],
)
def test_automatic_mail_never_opens_cases_nor_notifies(cast, headers):
    row = receive(make_email(frm=LUCIA, headers=headers))
    assert row.state == S.IGNORED
    assert Ticket.objects.count() == 0
    assert OutboundEmail.objects.count() == 0


def test_flood_from_one_sender_is_quarantined(cast, settings):
    settings.VENTANILLA_INTAKE_FLOOD_PER_HOUR = 3
    rows = [receive(make_email(frm=LUCIA, subject=f"Caso {n}")) for n in range(5)]
    assert [r.state for r in rows] == [S.PROCESSED] * 3 + [S.QUARANTINED] * 2
    assert rows[-1].reason == "flood"


def test_reply_to_closed_case_is_kept_not_added_and_answered(lucia_case):
    Ticket.objects.filter(pk=lucia_case.pk).update(status=Status.CLOSED)
    messages_before = Message.objects.filter(ticket=lucia_case).count()
    row = reply(lucia_case, in_reply_to="<first@ebro.test>")
    assert (row.state, row.reason, row.ticket) == (S.PROCESSED, "closed_case", lucia_case)
    assert Message.objects.filter(ticket=lucia_case).count() == messages_before
    lucia_case.refresh_from_db()
    assert lucia_case.status == Status.CLOSED
    answer = OutboundEmail.objects.get(template="inbound_closed_case")
    assert answer.to == ["lucia@talleresebro.test"]
    assert "nuevo caso" in answer.body_text


def test_reply_to_resolved_case_within_window_reopens(lucia_case):
    from django.utils import timezone

    Ticket.objects.filter(pk=lucia_case.pk).update(
        status=Status.RESOLVED, resolved_at=timezone.now()
    )
    row = receive(
        make_email(
            frm=LUCIA, subject="Re: sigue", body="Vuelve a fallar", in_reply_to="<first@ebro.test>"
        )
    )
    assert row.ticket_message is not None
    lucia_case.refresh_from_db()
    assert lucia_case.status == Status.IN_PROGRESS


def test_cc_known_contacts_become_participants_and_unknown_ones_pending(cast):
    row = receive(
        make_email(
            frm=LUCIA,
            cc="Marcos <marcos@talleresebro.test>, Ana <ana@otra.test>, c@soporte.localhost",
        )
    )
    ticket = row.ticket
    participants = set(
        Participant.objects.filter(ticket=ticket).values_list("contact__email", flat=True)
    )
    assert participants == {"marcos@talleresebro.test"}
    pending = Contact.objects.get(email="ana@otra.test")
    assert pending.state == Contact.State.PENDING and pending.organization == ticket.organization


def test_refused_attachment_is_listed_and_the_sender_told(cast):
    row = receive(
        make_email(
            frm=LUCIA,
            attachments=[
                ("virus.exe", EXE_BYTES, "application/octet-stream"),
                ("nota.txt", b"hola", "text/plain"),
            ],
        )
    )
    ticket = row.ticket
    assert [a.filename for a in ticket.attachments.all()] == ["nota.txt"]
    assert "virus.exe" in ticket.description
    told = OutboundEmail.objects.get(template="inbound_attachments_refused")
    assert "virus.exe" in told.body_text


def test_a_failure_quarantines_that_message_only(cast, monkeypatch):
    real = intake.ticket_open

    def broken(**kwargs):
        if "rompe" in kwargs["subject"]:
            raise RuntimeError("boom")
        return real(**kwargs)

    monkeypatch.setattr(intake, "ticket_open", broken)
    bad = receive(make_email(frm=LUCIA, subject="esto rompe"))
    good = receive(make_email(frm=LUCIA, subject="esto no"))
    assert (bad.state, bad.reason) == (S.QUARANTINED, "error")
    assert "RuntimeError: boom" in bad.error and bytes(bad.raw)
    assert good.state == S.PROCESSED
    assert Ticket.objects.count() == 1
    monkeypatch.setattr(intake, "ticket_open", real)
    assert inbound_reprocess_now(inbound=bad).state == S.PROCESSED


def test_cc_person_pending_approval_who_answers_is_held(cast):
    opened = receive(make_email(frm=LUCIA, cc="Ana <ana@otra.test>", message_id="<o@ebro.test>"))
    answer = receive(
        make_email(
            frm="ana@otra.test", subject="Re: x", body="Yo también", in_reply_to="<o@ebro.test>"
        )
    )
    assert (answer.state, answer.reason) == (S.QUARANTINED, "pending_approval")
    contact_approve(contact=Contact.objects.get(email="ana@otra.test"), by=cast.users["admin"])
    inbound_release_held()
    answer.refresh_from_db()
    assert answer.ticket == opened.ticket and answer.ticket_message is not None


def test_empty_reply_body_still_threads(lucia_case):
    row = reply(lucia_case, body="", in_reply_to="<first@ebro.test>", subject="Re: vacío")
    assert row.ticket_message.body_text == "Re: vacío"


def test_nul_bytes_and_broken_text_are_stored_on_every_database(lucia_case):
    """PostgreSQL refuses NUL in text: found by the fuzz test on PostgreSQL."""
    raw = make_email(
        frm=LUCIA, subject="Re: nulo", body="Respuesta", in_reply_to="<first@ebro.test>"
    )
    raw = raw.replace(b"Subject: Re: nulo", b"Subject: Re: nu\x00lo\xed")
    raw = raw.replace(
        b"In-Reply-To: <first@ebro.test>",
        b"In-Reply-To: <first@ebro.test>\nReferences: <\x00x@y>\nMessage-ID: <\x00nul@ebro.test>",
    )
    row = inbound_receive(raw, InboundEmail.Source.PIPE, envelope_to=["c\x00@soporte.localhost"])
    assert row.state == S.PROCESSED and row.ticket == lucia_case
    assert "\x00" not in row.subject + row.message_id
