"""Lists are cheap: a list of N tickets costs the same number of queries whatever N is."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ventanilla.tickets.selectors import ticket_list
from ventanilla.tickets.services import ticket_add_participant, ticket_assign

pytestmark = pytest.mark.django_db


def make_many(cast, make_ticket, count):
    for index in range(count):
        ticket = make_ticket(role="admin" if index % 2 else "customer")
        ticket_assign(ticket=ticket, by=cast.supervisor, assignee=cast.agent_l1)
        ticket_add_participant(ticket=ticket, by=None, contact=cast.contacts["colleague"])


def queries_for(callable_):
    with CaptureQueriesContext(connection) as context:
        callable_()
    return len(context.captured_queries)


def list_and_touch(user):
    for ticket in ticket_list(user, limit=100):
        assert ticket.requester.name and ticket.assignee and ticket.organization.name
        str(ticket.product)


@pytest.mark.parametrize("role", ["customer", "admin", "agent_l1", "supervisor"])
def test_ticket_list_costs_constant_queries(cast, make_ticket, role):
    user = cast.users[role]
    make_many(cast, make_ticket, 2)
    few = queries_for(lambda: list_and_touch(user))
    make_many(cast, make_ticket, 12)
    many = queries_for(lambda: list_and_touch(user))
    assert few == many


@pytest.mark.parametrize(("role", "url"), [("admin", "portal:home"), ("agent_l1", "console:home")])
def test_home_pages_cost_constant_queries(client, cast, make_ticket, role, url):
    client.force_login(cast.users[role])
    make_many(cast, make_ticket, 2)
    few = queries_for(lambda: client.get(reverse(url)))
    make_many(cast, make_ticket, 12)
    many = queries_for(lambda: client.get(reverse(url)))
    assert few == many
