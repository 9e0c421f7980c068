"""The console case page: timeline, triage, messages, collision warning, actions, presence."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ventanilla.mail.models import OutboundEmail
from ventanilla.staff.models import CannedReply
from ventanilla.testing.factories import EXE_BYTES, png_upload
from ventanilla.tickets.models import Event, Message
from ventanilla.tickets.services import (
    presence_touch,
    ticket_add_note,
    ticket_reply,
    ticket_triage,
)
from ventanilla.tickets.workflow import Status

pytestmark = pytest.mark.django_db


def act(client, ticket, name, data):
    return client.post(reverse("console:case_action", args=[ticket.number, name]), data)


def page(client, ticket):
    return client.get(reverse("console:case_detail", args=[ticket.number]))


@pytest.fixture
def agent(client, cast):
    client.force_login(cast.agent_l1)
    return client


def triaged(cast, make_ticket, **kwargs):
    ticket = make_ticket(**kwargs)
    ticket_triage(ticket=ticket, by=cast.supervisor, product=ticket.product or cast.products["erp"])
    return ticket


def test_timeline_shows_messages_notes_files_and_events(agent, cast, make_ticket):
    ticket = triaged(cast, make_ticket)
    ticket_reply(ticket=ticket, by=cast.customer, text="Sigue fallando", attachments=[png_upload()])
    ticket_add_note(ticket=ticket, by=cast.agent_l2, text="Revisar logs del servidor")
    body = page(agent, ticket).content.decode()
    assert "Sigue fallando" in body and "Revisar logs del servidor" in body
    assert "captura.png" in body and "Nota interna" in body
    assert "Caso cualificado" in body  # the triage event, in Spanish


def test_triage_from_the_page(agent, cast, make_ticket):
    ticket = make_ticket()
    response = act(
        agent,
        ticket,
        "triage",
        {
            "triage-product": cast.products["erp"].pk,
            "triage-severity": "B",
            "triage-priority": "high",
            "triage-tier": "1",
            "triage-next_status": "in_progress",
        },
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS and ticket.team == cast.teams["l1"]


def test_scheduling_without_a_date_keeps_what_was_typed(agent, cast, make_ticket):
    ticket = make_ticket()
    response = act(
        agent,
        ticket,
        "triage",
        {
            "triage-product": cast.products["erp"].pk,
            "triage-severity": "B",
            "triage-priority": "low",
            "triage-tier": "1",
            "triage-next_status": "scheduled",
            "triage-note": "Visita el martes",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Un caso planificado necesita fecha y hora" in body
    assert "Visita el martes" in body
    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING_FOR_SUPPORT


def test_schedule_reads_the_local_time_of_the_desk(agent, cast, make_ticket):
    ticket = make_ticket()
    act(
        agent,
        ticket,
        "triage",
        {
            "triage-product": cast.products["erp"].pk,
            "triage-severity": "C",
            "triage-priority": "low",
            "triage-tier": "1",
            "triage-next_status": "scheduled",
            "triage-planned_at": "2026-12-01T10:00",
        },
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.SCHEDULED
    assert ticket.planned_at.astimezone(timezone.UTC).hour == 9  # Madrid is UTC+1 in December


def test_reply_note_and_refused_file(agent, cast, make_ticket):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ticket = triaged(cast, make_ticket)
    seen = 0
    act(agent, ticket, "message", {"kind": "public", "text": "Hola Lucía", "seen": seen})
    act(agent, ticket, "message", {"kind": "internal", "text": "Ojo", "attachments": png_upload()})
    kinds = list(ticket.messages.values_list("kind", "body_text"))
    assert kinds == [("public", "Hola Lucía"), ("internal", "Ojo")]
    assert OutboundEmail.objects.filter(template="ticket_reply").count() == 1
    bad = SimpleUploadedFile("informe.pdf", EXE_BYTES, content_type="application/pdf")
    response = act(
        agent, ticket, "message", {"kind": "public", "text": "Te mando", "attachments": bad}
    )
    assert response.status_code == 400 and "Te mando" in response.content.decode()
    assert ticket.messages.count() == 2


def test_reply_collision_warns_and_keeps_the_text(agent, cast, make_ticket):
    ticket = triaged(cast, make_ticket)
    seen = Message.objects.filter(ticket=ticket).count()  # 0: nothing yet when the page loaded
    ticket_reply(ticket=ticket, by=cast.customer, text="¡Ya funciona!")
    response = act(agent, ticket, "message", {"kind": "public", "text": "Prueba X", "seen": seen})
    body = response.content.decode()
    assert response.status_code == 400 and "¡Ya funciona!" in body and "Prueba X" in body
    assert ticket.messages.count() == 1
    resent_seen = int(re.search(r'name="seen" value="(\d+)"', body).group(1))
    assert resent_seen == ticket.messages.get().pk  # the page now shows that message
    act(agent, ticket, "message", {"kind": "public", "text": "Prueba X", "seen": resent_seen})
    assert ticket.messages.count() == 2
    ticket_reply(ticket=ticket, by=cast.customer, text="Otra más")
    act(agent, ticket, "message", {"kind": "public", "text": "Y", "seen": 0, "send_anyway": "1"})
    assert ticket.messages.count() == 4


def test_presence_heartbeat_shows_the_other_agent_and_new_messages(client, cast, make_ticket):
    ticket = triaged(cast, make_ticket)
    presence_touch(ticket=ticket, by=cast.agent_l2, composing=True)
    client.force_login(cast.agent_l1)
    url = reverse("console:case_presence", args=[ticket.number])
    body = client.get(url, {"seen": 0}).content.decode()
    assert "Diego" in body and "escribiendo" in body
    ticket_reply(ticket=ticket, by=cast.customer, text="Ya he reiniciado el router")
    live = client.get(url, {"seen": 0}).content.decode()
    assert "data-newer" in live
    assert "Ya he reiniciado el router" in live  # the new message itself, without a reload
    last = ticket.messages.last().pk
    assert "data-newer" not in client.get(url, {"seen": last}).content.decode()


def test_stale_presence_is_not_shown(client, cast, make_ticket):
    ticket = triaged(cast, make_ticket)
    presence_touch(ticket=ticket, by=cast.agent_l2, now=timezone.now() - timedelta(minutes=3))
    client.force_login(cast.agent_l1)
    assert "Diego" not in page(client, ticket).content.decode().split('id="presence"')[1][:400]


def test_a_view_writes_presence_only_when_it_is_missing_stale_or_composing(
    client, cast, make_ticket
):
    """Round 4: the page reads the viewer's presence row with the others' and writes it only
    when it is missing, 10 s old or says "writing"; a view right after another writes nothing."""
    from ventanilla.tickets.models import CasePresence

    ticket = triaged(cast, make_ticket)
    presence_touch(ticket=ticket, by=cast.agent_l2)
    client.force_login(cast.agent_l1)
    mine = CasePresence.objects.filter(ticket=ticket, user=cast.agent_l1)

    def presence_writes():
        with CaptureQueriesContext(connection) as context:
            body = page(client, ticket).content.decode()
        assert "Diego" in body.split('id="presence"')[1][:2000]  # the other agent, always
        sql = [q["sql"] for q in context.captured_queries]
        return [q for q in sql if "casepresence" in q and not q.startswith("SELECT")]

    assert presence_writes()  # first view: the row is created
    assert presence_writes() == []  # seconds later: nothing written
    mine.update(seen_at=timezone.now() - timedelta(seconds=11))
    assert presence_writes()  # 10 s on: refreshed
    assert timezone.now() - mine.get().seen_at < timedelta(seconds=5)
    mine.update(composing=True)
    assert presence_writes() and mine.get().composing is False  # a page view is not writing


def test_escalate_from_the_page_goes_back_to_the_queue_when_out_of_sight(
    agent, cast, make_ticket, settings
):
    settings.VENTANILLA_AGENT_SCOPE = "teams"
    ticket = triaged(cast, make_ticket, product=cast.products["net"])
    response = act(agent, ticket, "escalate", {"escalate-reason": ""})
    assert response.status_code == 400
    response = act(agent, ticket, "escalate", {"escalate-reason": "Cortafuegos"})
    assert response.status_code == 302 and response["Location"] == reverse("console:untriaged")
    ticket.refresh_from_db()
    assert ticket.status == Status.ESCALATED and ticket.team == cast.teams["l2"]


def test_request_info_resolve_cancel(agent, cast, make_ticket):
    ticket = triaged(cast, make_ticket)
    act(agent, ticket, "request_info", {"info-question": "¿Qué versión?"})
    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING_ON_CUSTOMER
    act(agent, ticket, "resolve", {"resolve-resolution": "Actualizado a 8.2"})
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    other = triaged(cast, make_ticket)
    assert act(agent, other, "cancel", {"cancel-reason": ""}).status_code == 400
    act(agent, other, "cancel", {"cancel-reason": "Duplicado por teléfono"})
    other.refresh_from_db()
    assert other.status == Status.CANCELLED


def test_status_assign_update_and_participants(agent, cast, make_ticket):
    ticket = triaged(cast, make_ticket)
    act(agent, ticket, "status", {"status-to_status": "pending", "status-note": "Esperando pieza"})
    act(agent, ticket, "assign", {"assign-assignee": cast.agent_l2.pk})
    act(agent, ticket, "update", {"update-severity": "A", "update-priority": "high"})
    colleague = cast.contacts["colleague"]
    act(agent, ticket, "participant_add", {"part-contact": colleague.pk})
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING and ticket.assignee == cast.agent_l2
    assert (ticket.severity, ticket.priority) == ("A", "high")
    assert ticket.participants.filter(contact=colleague).exists()
    act(agent, ticket, "participant_remove", {"part-contact": colleague.pk})
    assert not ticket.participants.exists()
    outsider = cast.contacts["outsider"]  # another organization: not offered, refused
    assert act(agent, ticket, "participant_add", {"part-contact": outsider.pk}).status_code == 400


def test_merge_link_and_split_from_the_page(agent, cast, make_ticket):
    target, dup, other = make_ticket(), make_ticket(), make_ticket()
    response = act(agent, dup, "merge", {"merge-number": "C/1999/1"})
    assert response.status_code == 400 and "No existe el caso C/1999/1" in response.content.decode()
    response = act(agent, dup, "merge", {"merge-number": target.number})
    assert response["Location"] == reverse("console:case_detail", args=[target.number])
    act(agent, target, "link", {"link-number": other.number})
    assert target.links_out.filter(target=other).exists()
    message = ticket_reply(ticket=target, by=cast.customer, text="Y la impresora tampoco")
    response = act(
        agent, target, "split", {"split-message": message.pk, "split-subject": "Impresora"}
    )
    new_number = Message.objects.get(pk=message.pk).ticket.number
    assert new_number != target.number
    assert response["Location"] == reverse("console:case_detail", args=[new_number])
    body = page(agent, target).content.decode()
    assert dup.number in body and other.number in body and new_number in body


def test_canned_replies_are_filled_for_the_case(agent, cast, make_ticket):
    ticket = make_ticket()
    CannedReply.objects.create(title="Saludo", body="Hola {nombre}, sobre el caso {caso}: {otro}")
    body = page(agent, ticket).content.decode()
    assert f"Hola Lucía Gimeno, sobre el caso {ticket.number}: {{otro}}" in body


def test_case_page_costs_constant_queries(agent, cast, make_ticket):
    ticket = triaged(cast, make_ticket)

    def cost():
        with CaptureQueriesContext(connection) as context:
            assert page(agent, ticket).status_code == 200
        return len(context.captured_queries)

    ticket_reply(ticket=ticket, by=cast.customer, text="1", attachments=[png_upload()])
    cost()  # the first visit also creates the presence row
    few = cost()
    for index in range(10):
        ticket_reply(ticket=ticket, by=cast.customer, text=f"r{index}", attachments=[png_upload()])
        ticket_add_note(ticket=ticket, by=cast.agent_l1, text=f"n{index}")
    assert cost() == few


def test_events_of_actions_are_recorded(agent, cast, make_ticket):
    ticket = triaged(cast, make_ticket)
    act(agent, ticket, "update", {"update-severity": "A", "update-priority": "medium"})
    assert Event.objects.filter(ticket=ticket, kind=Event.Kind.CHANGED).count() == 1


def test_scheduling_by_status_change_needs_a_date(agent, cast, make_ticket):
    ticket = triaged(cast, make_ticket)
    response = act(agent, ticket, "status", {"status-to_status": "scheduled"})
    assert response.status_code == 400
    act(
        agent,
        ticket,
        "status",
        {"status-to_status": "scheduled", "status-planned_at": "2026-12-02T16:30"},
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.SCHEDULED and ticket.planned_at is not None


def test_changed_fields_are_named_in_the_timeline(agent, cast, make_ticket):
    ticket = triaged(cast, make_ticket)
    act(agent, ticket, "update", {"update-severity": "A", "update-priority": "medium"})
    body = page(agent, ticket).content.decode()
    assert "Campos modificados" in body and "gravedad" in body


def test_canned_replies_in_the_customers_language_come_first(agent, cast, make_ticket):
    from ventanilla.accounts.models import User

    ticket = make_ticket()
    CannedReply.objects.create(title="A greeting", language="en", body="Hello {name}")
    CannedReply.objects.create(title="Saludo", language="es", body="Hola {nombre}")
    body = page(agent, ticket).content.decode()
    assert body.index("Saludo (es)") < body.index("A greeting (en)")
    User.objects.filter(pk=cast.customer.pk).update(language="en")
    body = page(agent, ticket).content.decode()
    assert body.index("A greeting (en)") < body.index("Saludo (es)")
    assert "Hello Lucía Gimeno" in body
