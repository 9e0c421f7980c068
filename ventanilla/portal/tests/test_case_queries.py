"""The case list and the case page cost the same number of queries for 2 cases or 30."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ventanilla.testing.factories import png_upload
from ventanilla.tickets.models import Rating
from ventanilla.tickets.selectors import case_group_counts, case_search
from ventanilla.tickets.services import (
    ticket_add_note,
    ticket_add_participant,
    ticket_assign,
    ticket_reply,
    ticket_transition,
)
from ventanilla.tickets.workflow import Status

pytestmark = pytest.mark.django_db


def make_cases(cast, make_ticket, count):
    for index in range(count):
        ticket = make_ticket(
            role="customer" if index % 2 else "regional", severity="ABC"[index % 3]
        )
        ticket_assign(ticket=ticket, by=cast.supervisor, assignee=cast.agent_l1)
        ticket_add_participant(ticket=ticket, by=None, contact=cast.contacts["colleague"])
        if index % 3 == 0:
            ticket_transition(ticket=ticket, to_status=Status.RESOLVED, by=cast.agent_l1)
        if index % 6 == 0:
            Rating.objects.create(ticket=ticket, score=4)


def queries(callable_):
    with CaptureQueriesContext(connection) as context:
        response = callable_()
    return len(context.captured_queries), response


@pytest.mark.parametrize(
    ("role", "params"),
    [
        ("customer", {}),
        ("admin", {}),
        ("admin", {"scope": "mine"}),
        ("admin", {"site": "x", "requester": "y", "q": "factura", "order": "-number"}),
        ("regional", {"group": "to_rate"}),
    ],
)
def test_case_list_costs_constant_queries(client, cast, make_ticket, role, params):
    client.force_login(cast.users[role])
    url = reverse("portal:case_list")
    make_cases(cast, make_ticket, 2)
    few, first = queries(lambda: client.get(url, params))
    make_cases(cast, make_ticket, 28)
    many, response = queries(lambda: client.get(url, params))
    assert first.status_code == response.status_code == 200
    assert few == many, (few, many)
    assert many <= 14


def test_the_sidebar_counts_are_one_query(cast, make_ticket):
    make_cases(cast, make_ticket, 6)
    found = case_search(cast.admin, scope="global")
    with CaptureQueriesContext(connection) as context:
        counts = case_group_counts(found)
    assert len(context.captured_queries) == 1
    assert counts["all"] == 6 and counts["resolved"] == 2 and counts["rated"] == 1


def thread(cast, ticket, count):
    """Per round: the agent asks (status change + reply + note), the customer answers."""
    for index in range(count):
        ticket_transition(ticket=ticket, to_status=Status.WAITING_ON_CUSTOMER, by=cast.agent_l1)
        agent_text = f"Respuesta {index}"
        ticket_reply(ticket=ticket, by=cast.agent_l1, text=agent_text, attachments=[png_upload()])
        ticket_add_note(ticket=ticket, by=cast.agent_l1, text="nota", attachments=[png_upload()])
        ticket_reply(ticket=ticket, by=cast.customer, text=f"Gracias {index}")


@pytest.mark.parametrize("view", ["portal:case_detail", "portal:case_updates"])
def test_case_page_costs_constant_queries(client, cast, make_ticket, view):
    small = make_ticket(attachments=[png_upload()])
    big = make_ticket(attachments=[png_upload(), png_upload("b.png")])
    ticket_assign(ticket=small, by=cast.supervisor, assignee=cast.agent_l1)
    ticket_assign(ticket=big, by=cast.supervisor, assignee=cast.agent_l1)
    thread(cast, small, 1)
    thread(cast, big, 15)
    client.force_login(cast.customer)
    few, _ = queries(lambda: client.get(reverse(view, kwargs={"number": small.number})))
    many, response = queries(lambda: client.get(reverse(view, kwargs={"number": big.number})))
    assert response.status_code == 200
    assert few == many, (few, many)
