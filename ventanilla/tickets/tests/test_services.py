import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from ventanilla.mail.models import OutboundEmail
from ventanilla.organizations.models import Contact
from ventanilla.organizations.services import contact_create
from ventanilla.testing.factories import EXE_BYTES, pdf_upload, png_upload
from ventanilla.tickets.models import Attachment, Channel, Event, Message, Ticket
from ventanilla.tickets.services import (
    ticket_add_note,
    ticket_add_participant,
    ticket_assign,
    ticket_cancel,
    ticket_reply,
    ticket_transition,
)
from ventanilla.tickets.workflow import Status

pytestmark = pytest.mark.django_db


def test_customer_opens_a_case_with_consent_number_event_and_confirmation(cast, make_ticket):
    ticket = make_ticket(attachments=[png_upload()])
    assert ticket.status == Status.WAITING_FOR_SUPPORT
    assert ticket.organization == cast.orgs["a"] and ticket.site == cast.sites["zaragoza"]
    assert ticket.consent_by == cast.customer and ticket.consent_version
    # The SLA clocks write their own "deadline set" events (sla branch); one ticket event besides.
    assert ticket.events.exclude(kind__startswith="sla_").get().kind == Event.Kind.CREATED
    attachment = ticket.attachments.get()
    assert attachment.content_type == "image/png" and attachment.size > 0
    email = OutboundEmail.objects.get(ticket=ticket, template="ticket_received")
    assert email.to == ["lucia@talleresebro.test"]
    assert ticket.number in email.subject


def test_customer_must_consent_on_the_web_form(make_ticket):
    with pytest.raises(ValidationError) as error:
        make_ticket(consent=False)
    assert "consent" in error.value.message_dict
    assert Ticket.objects.count() == 0


def test_agent_opens_a_phone_case_without_web_consent(cast, make_ticket):
    ticket = make_ticket(by=cast.agent_l1, consent=False, channel=Channel.PHONE)
    assert ticket.channel == Channel.PHONE and ticket.consent_at is None


def test_refused_attachment_changes_nothing_and_says_why(make_ticket):
    fake = SimpleUploadedFile("factura.pdf", EXE_BYTES, "application/pdf")
    with pytest.raises(ValidationError) as error:
        make_ticket(attachments=[fake, pdf_upload("grande.pdf", size=6 * 1024 * 1024)])
    messages = error.value.messages
    assert len(messages) == 2
    assert "factura.pdf" in messages[0] and "grande.pdf" in messages[1]
    assert Ticket.objects.count() == 0 and Attachment.objects.count() == 0


def test_customer_cannot_open_for_another_organization(cast):
    from ventanilla.tickets.services import ticket_open

    with pytest.raises(PermissionDenied):
        ticket_open(
            by=cast.outsider,
            requester=cast.contacts["customer"],
            subject="x",
            description="y",
            consent=True,
        )


def test_pending_contact_cannot_be_requester(cast):
    from ventanilla.tickets.services import ticket_open

    pending = contact_create(
        by=None,
        organization=cast.orgs["a"],
        name="Desconocido",
        email="nuevo@talleresebro.test",
        state=Contact.State.PENDING,
    )
    with pytest.raises(ValidationError):
        ticket_open(
            by=cast.agent_l1, requester=pending, subject="x", description="y", channel=Channel.PHONE
        )


def test_customer_cancels_while_waiting_for_support(cast, make_ticket):
    ticket = make_ticket()
    ticket_cancel(ticket=ticket, by=cast.customer, reason="Ya funciona")
    ticket.refresh_from_db()
    assert ticket.status == Status.CANCELLED and ticket.closed_at is not None
    event = ticket.events.get(kind=Event.Kind.STATUS)
    assert event.before == {"status": "waiting_for_support"}
    assert event.after == {"status": "cancelled"} and event.note == "Ya funciona"


def test_customer_cannot_cancel_once_in_progress(cast, make_ticket):
    ticket = make_ticket()
    ticket_transition(ticket=ticket, to_status=Status.IN_PROGRESS, by=cast.agent_l1)
    with pytest.raises(ValidationError) as error:
        ticket_cancel(ticket=ticket, by=cast.customer)
    assert "En curso" in error.value.messages[0]
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    assert ticket.events.filter(kind=Event.Kind.STATUS).count() == 1


def test_customer_reply_while_waiting_on_customer_moves_case_back_to_work(cast, make_ticket):
    ticket = make_ticket()
    ticket_transition(ticket=ticket, to_status=Status.WAITING_ON_CUSTOMER, by=cast.agent_l1)
    ticket_reply(ticket=ticket, by=cast.customer, text="Adjunto la captura que pedíais.")
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    system_event = ticket.events.filter(kind=Event.Kind.STATUS).last()
    assert system_event.actor is None and system_event.actor_kind == "system"


def test_agent_reply_notifies_requester_and_participants(cast, make_ticket):
    ticket = make_ticket()
    ticket_add_participant(ticket=ticket, by=cast.customer, contact=cast.contacts["colleague"])
    OutboundEmail.objects.all().delete()
    ticket_reply(ticket=ticket, by=cast.agent_l1, text="Hola Lucía, lo revisamos.")
    recipients = sorted(e.to[0] for e in OutboundEmail.objects.filter(template="ticket_reply"))
    assert recipients == ["lucia@talleresebro.test", "marcos@talleresebro.test"]


def test_reply_to_closed_case_is_refused(cast, make_ticket):
    ticket = make_ticket()
    ticket_cancel(ticket=ticket, by=cast.customer)
    with pytest.raises(ValidationError) as error:
        ticket_reply(ticket=ticket, by=cast.customer, text="Gracias")
    assert error.value.code == "closed"
    assert not Message.objects.filter(ticket=ticket).exists()


def test_reply_text_is_stored_with_sanitised_html(cast, make_ticket):
    ticket = make_ticket()
    message = ticket_reply(ticket=ticket, by=cast.customer, text="<script>x</script> ver")
    assert "<script>" not in message.body_html and "&lt;script&gt;" in message.body_html


def test_notes_are_for_staff_only(cast, make_ticket):
    ticket = make_ticket()
    note = ticket_add_note(ticket=ticket, by=cast.agent_l1, text="Cliente con contrato premium")
    assert note.kind == Message.Kind.INTERNAL
    with pytest.raises(PermissionDenied):
        ticket_add_note(ticket=ticket, by=cast.customer, text="hola")


def test_outsider_cannot_reply_to_another_organizations_case(cast, make_ticket):
    ticket = make_ticket()
    with pytest.raises(PermissionDenied):
        ticket_reply(ticket=ticket, by=cast.outsider, text="hola")


def test_assign_writes_an_event_and_only_to_agents(cast, make_ticket):
    ticket = make_ticket()
    ticket_assign(ticket=ticket, by=cast.supervisor, assignee=cast.agent_l2)
    event = ticket.events.get(kind=Event.Kind.ASSIGNED)
    assert event.after == {"assignee": cast.agent_l2.pk} and event.actor == cast.supervisor
    with pytest.raises(ValidationError):
        ticket_assign(ticket=ticket, by=cast.supervisor, assignee=cast.customer)
    with pytest.raises(PermissionDenied):
        ticket_assign(ticket=ticket, by=cast.customer, assignee=cast.agent_l1)


def test_participant_is_added_once_and_sees_the_case(cast, make_ticket):
    from ventanilla.tickets.access import tickets_visible_to

    ticket = make_ticket()
    assert not tickets_visible_to(cast.colleague).filter(pk=ticket.pk).exists()
    ticket_add_participant(ticket=ticket, by=cast.customer, contact=cast.contacts["colleague"])
    ticket_add_participant(ticket=ticket, by=cast.customer, contact=cast.contacts["colleague"])
    assert ticket.participants.count() == 1
    assert ticket.events.filter(kind=Event.Kind.PARTICIPANT_ADDED).count() == 1
    assert tickets_visible_to(cast.colleague).filter(pk=ticket.pk).exists()


def test_customer_cannot_add_a_contact_of_another_organization(cast, make_ticket):
    ticket = make_ticket()
    with pytest.raises(PermissionDenied):
        ticket_add_participant(ticket=ticket, by=cast.customer, contact=cast.contacts["outsider"])


def test_resolve_then_reopen_clears_resolution_time(cast, make_ticket):
    ticket = make_ticket()
    ticket_transition(ticket=ticket, to_status=Status.RESOLVED, by=cast.agent_l1)
    assert ticket.resolved_at is not None
    ticket_transition(ticket=ticket, to_status=Status.IN_PROGRESS, by=cast.customer)
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS and ticket.resolved_at is None


def test_every_status_change_writes_exactly_one_event(cast, make_ticket):
    ticket = make_ticket()
    path = [Status.IN_PROGRESS, Status.PENDING, Status.SCHEDULED, Status.RESOLVED, Status.CLOSED]
    for status in path:
        ticket_transition(ticket=ticket, to_status=status, by=cast.agent_l1)
    afters = [e.after["status"] for e in ticket.events.filter(kind=Event.Kind.STATUS)]
    assert afters == [str(s) for s in path]


def test_reply_updates_the_callers_ticket_object(cast, make_ticket):
    ticket = make_ticket()
    ticket_transition(ticket=ticket, to_status=Status.WAITING_ON_CUSTOMER, by=cast.agent_l1)
    ticket_reply(ticket=ticket, by=cast.customer, text="Aquí está el dato.")
    assert ticket.status == Status.IN_PROGRESS


def test_customer_reply_reopens_a_resolved_case_within_the_window(cast, make_ticket):
    ticket = make_ticket()
    ticket_transition(ticket=ticket, to_status=Status.RESOLVED, by=cast.agent_l1)
    ticket_reply(ticket=ticket, by=cast.customer, text="Vuelve a fallar.")
    assert ticket.status == Status.IN_PROGRESS and ticket.resolved_at is None


def test_customer_reply_after_the_reopen_window_is_refused(cast, make_ticket, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.VENTANILLA_REOPEN_DAYS = 7
    ticket = make_ticket()
    resolved = timezone.now() - timedelta(days=8)
    ticket_transition(ticket=ticket, to_status=Status.RESOLVED, by=cast.agent_l1, now=resolved)
    with pytest.raises(ValidationError) as error:
        ticket_reply(ticket=ticket, by=cast.customer, text="Otra cosa")
    assert error.value.code == "reopen_window"
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED


def test_customer_cannot_cc_another_organization_when_opening(cast, make_ticket):
    with pytest.raises(PermissionDenied):
        make_ticket(participants=[cast.contacts["outsider"]])
    assert not Ticket.objects.exists()
