"""Phone intake (seed 004) and the customer 360 pages."""

import pytest
from django.urls import reverse

from ventanilla.organizations.models import Contact
from ventanilla.tickets.models import Channel
from ventanilla.tickets.services import ticket_triage

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(client, cast):
    client.force_login(cast.agent_l1)
    return client


@pytest.mark.parametrize("query", ["Lucía", "lucia@talleresebro", "TEB01", "B12345674"])
def test_search_finds_the_caller_by_name_email_code_or_cif(agent, query):
    response = agent.get(reverse("console:phone"), {"q": query})
    assert "Lucía Gimeno" in response.content.decode()


def test_search_by_phone(agent, cast):
    Contact.objects.filter(pk=cast.contacts["outsider"].pk).update(phone="941 22 33 44")
    response = agent.get(reverse("console:phone"), {"q": "22 33"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Íñigo Sáenz" in body and "<html" not in body


def test_known_caller_case_is_a_phone_case(agent, cast):
    contact = cast.contacts["customer"]
    response = agent.post(
        reverse("console:phone"),
        {
            "organization": contact.organization_id,
            "contact": contact.pk,
            "subject": "No imprime",
            "description": "Llama Lucía",
            "severity": "B",
        },
    )
    ticket = contact.requested_tickets.get()
    assert response["Location"] == reverse("console:case_detail", args=[ticket.number])
    assert ticket.channel == Channel.PHONE and ticket.severity == "B"


def test_unknown_caller_becomes_pending_and_the_case_proceeds(agent, cast):
    org = cast.orgs["a"]
    form = {
        "organization": org.pk,
        "caller_name": "Rafael Soler",
        "caller_email": "",
        "subject": "Almacén sin red",
        "description": "Llama desde el almacén",
        "severity": "C",
    }
    response = agent.post(reverse("console:phone"), form)
    assert response.status_code == 200  # refused: no email; what was typed is kept
    body = response.content.decode()
    assert "Almacén sin red" in body and "hace falta un correo" in body
    response = agent.post(
        reverse("console:phone"), form | {"caller_email": "rafa@talleresebro.test"}
    )
    contact = Contact.objects.get(email="rafa@talleresebro.test")
    assert contact.state == Contact.State.PENDING
    ticket = contact.requested_tickets.get()
    assert response["Location"] == reverse("console:case_detail", args=[ticket.number])
    page = agent.get(response["Location"]).content.decode()
    assert "Pendiente de aprobación" in page


def test_customer_360_shows_people_sites_and_only_visible_cases(agent, cast, make_ticket, settings):
    settings.VENTANILLA_AGENT_SCOPE = "teams"
    mine = make_ticket(subject="Visible para L1")
    hidden = make_ticket(subject="Solo para L2")
    ticket_triage(
        ticket=hidden, by=cast.supervisor, product=cast.products["net"], team=cast.teams["l2"]
    )
    body = agent.get(reverse("console:organization", args=[cast.orgs["a"].pk])).content.decode()
    assert "Pilar Esteban" in body and "Huesca" in body
    assert mine.subject in body and hidden.subject not in body
    contact = cast.contacts["customer"]
    body = agent.get(reverse("console:contact", args=[contact.pk])).content.decode()
    assert contact.email in body and mine.subject in body and hidden.subject not in body


def test_canned_replies_are_managed_by_supervisors(client, cast):
    client.force_login(cast.supervisor)
    url = reverse("console:canned_list")
    client.post(
        url, {"title": "Saludo", "language": "es", "body": "Hola {nombre}", "is_active": "on"}
    )
    from ventanilla.staff.models import CannedReply

    reply = CannedReply.objects.get()
    assert reply.created_by == cast.supervisor
    client.post(
        reverse("console:canned_edit", args=[reply.pk]),
        {"title": "Saludo", "language": "en", "body": "Hello {name}"},
    )
    reply.refresh_from_db()
    assert (reply.language, reply.is_active) == ("en", False)
    client.force_login(cast.agent_l1)
    assert client.post(url, {"title": "x", "language": "es", "body": "y"}).status_code == 403
    assert CannedReply.objects.count() == 1
