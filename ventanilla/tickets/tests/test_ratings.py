"""Ratings: one per case, only when resolved or closed, by someone who sees the case."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ventanilla.lib.tokens import BadToken
from ventanilla.mail.models import OutboundEmail
from ventanilla.tickets.models import Event, Rating
from ventanilla.tickets.notifications import RATING_MAX_AGE, rating_token, read_rating_token
from ventanilla.tickets.services import rating_record, ticket_add_participant, ticket_transition
from ventanilla.tickets.workflow import Status

pytestmark = pytest.mark.django_db


def resolved(cast, make_ticket, **kwargs):
    ticket = make_ticket(**kwargs)
    ticket_transition(ticket=ticket, to_status=Status.IN_PROGRESS, by=cast.agent_l1)
    ticket_transition(ticket=ticket, to_status=Status.RESOLVED, by=cast.agent_l1)
    return ticket


def test_one_rating_per_case_and_later_calls_only_update_the_comment(cast, make_ticket):
    ticket = resolved(cast, make_ticket)
    first = rating_record(ticket=ticket, score=4, by=cast.customer)
    again = rating_record(ticket=ticket, score=1, by=cast.customer, comment="  Rápidos  ")
    assert first.pk == again.pk and Rating.objects.count() == 1
    rating = Rating.objects.get()
    assert (rating.score, rating.comment, rating.rated_by) == (4, "Rápidos", cast.customer)
    events = Event.objects.filter(ticket=ticket, kind=Event.Kind.CHANGED).order_by("pk")
    assert [e.after for e in events] == [
        {"rating": 4, "comment": ""},
        {"rating_comment": "Rápidos"},
    ]


@pytest.mark.parametrize("status", [Status.IN_PROGRESS, Status.CANCELLED])
def test_only_resolved_or_closed_cases_are_rated(cast, make_ticket, status):
    ticket = make_ticket()
    ticket_transition(ticket=ticket, to_status=status, by=cast.agent_l1)
    with pytest.raises(ValidationError, match="resueltos o cerrados"):
        rating_record(ticket=ticket, score=5, by=cast.customer)
    assert not Rating.objects.exists()


def test_closed_case_can_be_rated(cast, make_ticket):
    ticket = resolved(cast, make_ticket)
    ticket_transition(ticket=ticket, to_status=Status.CLOSED, by=cast.customer)
    assert rating_record(ticket=ticket, score=2, by=cast.customer).score == 2


@pytest.mark.parametrize("score", [0, 6, -1, "5", None, 4.5])
def test_score_must_be_one_to_five(cast, make_ticket, score):
    ticket = resolved(cast, make_ticket)
    with pytest.raises(ValidationError):
        rating_record(ticket=ticket, score=score, by=cast.customer)


def test_database_refuses_a_score_out_of_range_and_a_second_row(cast, make_ticket):
    ticket = resolved(cast, make_ticket)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(ticket=ticket, score=6)
    Rating.objects.create(ticket=ticket, score=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Rating.objects.create(ticket=ticket, score=4)


@pytest.mark.parametrize("role", ["colleague", "outsider", "agent_l1", "supervisor"])
def test_who_cannot_see_or_is_staff_cannot_rate(cast, make_ticket, role):
    ticket = resolved(cast, make_ticket)
    with pytest.raises(PermissionDenied):
        rating_record(ticket=ticket, score=5, by=cast.users[role])


def test_admin_of_the_organization_may_rate(cast, make_ticket):
    ticket = resolved(cast, make_ticket)
    assert rating_record(ticket=ticket, score=5, by=cast.admin).rated_by == cast.admin


def test_resolved_email_carries_one_link_per_score_for_each_recipient(cast, make_ticket):
    ticket = make_ticket()
    ticket_add_participant(ticket=ticket, by=cast.customer, contact=cast.contacts["colleague"])
    ticket_transition(ticket=ticket, to_status=Status.IN_PROGRESS, by=cast.agent_l1)
    OutboundEmail.objects.all().delete()
    ticket_transition(ticket=ticket, to_status=Status.RESOLVED, by=cast.agent_l1)
    emails = {e.to[0]: e for e in OutboundEmail.objects.filter(template="ticket_status")}
    assert set(emails) == {cast.customer.email, cast.colleague.email}
    for email, contact in [(cast.customer.email, "customer"), (cast.colleague.email, "colleague")]:
        body = emails[email].body_html
        assert "Indícanos tu grado de satisfacción" in body
        tokens = re.findall(r"/area/valoraciones/enlace/([^/\"]+)/", body)
        assert [read_rating_token(t) for t in tokens] == [
            (ticket.pk, cast.contacts[contact].pk, score) for score in range(1, 6)
        ]


def test_other_status_emails_have_no_rating_links(cast, make_ticket):
    ticket = make_ticket()
    ticket_transition(ticket=ticket, to_status=Status.IN_PROGRESS, by=cast.agent_l1)
    email = OutboundEmail.objects.get(template="ticket_status")
    assert "valoraciones" not in email.body_html and "satisfacción" not in email.body_text


def test_rating_token_expires(cast, make_ticket):
    ticket = resolved(cast, make_ticket)
    token = rating_token(ticket, cast.contacts["customer"], 4)
    later = timezone.now() + dt.timedelta(seconds=RATING_MAX_AGE + 60)
    with time_machine.travel(later), pytest.raises(BadToken) as error:
        read_rating_token(token)
    assert error.value.expired
