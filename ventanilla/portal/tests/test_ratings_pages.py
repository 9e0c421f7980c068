"""Ratings in the customer area: the home reminder, the case box (htmx), the email link page."""

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ventanilla.portal.ratings import REMINDER_SIZE
from ventanilla.tickets.models import Rating
from ventanilla.tickets.notifications import rating_token
from ventanilla.tickets.services import rating_record, ticket_transition
from ventanilla.tickets.workflow import Status

pytestmark = pytest.mark.django_db
HOME = reverse("portal:home")
HTMX = {"HTTP_HX_REQUEST": "true"}


def resolved(cast, make_ticket, **kwargs):
    ticket = make_ticket(**kwargs)
    ticket_transition(ticket=ticket, to_status=Status.IN_PROGRESS, by=cast.agent_l1)
    ticket_transition(ticket=ticket, to_status=Status.RESOLVED, by=cast.agent_l1)
    return ticket


def test_home_reminds_of_unrated_cases_until_all_are_rated(client, cast, make_ticket):
    first = resolved(cast, make_ticket, subject="Primero")
    second = resolved(cast, make_ticket, subject="Segundo")
    client.force_login(cast.customer)
    html = client.get(HOME).content.decode()
    assert "Casos pendientes de valorar" in html and first.number in html and second.number in html

    data = {"score": "5", "panel": "reminder"}
    partial = client.post(reverse("portal:rate", args=[first.pk]), data, **HTMX).content.decode()
    assert f"Hemos guardado tu valoración de {first.number}" in partial
    assert second.number in partial and 'id="rating-reminder"' in partial

    data["score"] = "3"
    partial = client.post(reverse("portal:rate", args=[second.pk]), data, **HTMX).content.decode()
    assert "Has valorado todos tus casos" in partial
    assert "Casos pendientes de valorar" not in client.get(HOME).content.decode()
    assert [r.score for r in Rating.objects.order_by("pk")] == [5, 3]


def test_later_hides_the_reminder_for_this_session_only(client, cast, make_ticket):
    resolved(cast, make_ticket)
    client.force_login(cast.customer)
    response = client.post(reverse("portal:rating_reminder_dismiss"), **HTMX)
    assert response.status_code == 200 and response.content == b""
    assert "Casos pendientes de valorar" not in client.get(HOME).content.decode()
    client.logout()
    client.force_login(cast.customer)  # a new login: the reminder is back
    assert "Casos pendientes de valorar" in client.get(HOME).content.decode()


def test_plain_form_fallback_redirects_back(client, cast, make_ticket):
    ticket = resolved(cast, make_ticket)
    client.force_login(cast.customer)
    response = client.post(
        reverse("portal:rate", args=[ticket.pk]), {"score": "4", "next": "https://evil.test/"}
    )
    assert response.status_code == 302 and response["Location"] == HOME
    assert Rating.objects.get().score == 4
    assert "Hemos guardado tu valoración" in client.get(HOME).content.decode()
    open_case = make_ticket()
    response = client.post(reverse("portal:rate", args=[open_case.pk]), {"score": "4"}, follow=True)
    assert "Solo se pueden valorar casos resueltos o cerrados." in response.content.decode()


def test_case_box_renders_buttons_then_the_thanks_and_comment(client, cast, make_ticket):
    ticket = resolved(cast, make_ticket)
    request = RequestFactory().get("/")
    request.user = cast.customer
    template = Template("{% load portal_ratings %}{% case_rating ticket %}")
    html = template.render(Context({"ticket": ticket, "request": request}))
    assert html.count('name="score"') == 5 and "Indícanos tu grado de satisfacción" in html
    assert 'aria-label="4 de 5: Satisfecho"' in html

    client.force_login(cast.customer)
    url = reverse("portal:rate", args=[ticket.pk])
    html = client.post(url, {"score": "4", "comment": ""}, **HTMX).content.decode()
    assert "Tu valoración: 4/5" in html and "Añade un comentario" in html
    html = client.post(url, {"comment": "Muy amables"}, **HTMX).content.decode()
    assert "Muy amables" in html
    assert (Rating.objects.get().score, Rating.objects.get().comment) == (4, "Muy amables")

    bad = client.post(url, {"score": "9"}, **HTMX)
    assert bad.status_code == 200 and Rating.objects.get().score == 4

    open_ticket = make_ticket()
    assert template.render(Context({"ticket": open_ticket, "request": request})).strip() == ""


def test_rating_an_open_case_shows_the_error(client, cast, make_ticket):
    ticket = make_ticket()
    client.force_login(cast.customer)
    html = client.post(reverse("portal:rate", args=[ticket.pk]), {"score": "4"}, **HTMX)
    assert not Rating.objects.exists() and html.status_code == 200


def test_email_link_asks_on_get_and_records_on_post(client, cast, make_ticket):
    ticket = resolved(cast, make_ticket)
    url = reverse("portal:rate_link", args=[rating_token(ticket, cast.contacts["customer"], 4)])
    page = client.get(url)  # no login; a mail scanner's prefetch changes nothing
    assert page.status_code == 200 and "¿Confirmas 4/5?" in page.content.decode()
    assert not Rating.objects.exists()

    done = client.post(url, {"score": "4"}).content.decode()
    assert "¡Gracias por tu valoración!" in done and "¿Quieres añadir un comentario?" in done
    client.post(url, {"comment": "Todo perfecto"})
    rating = Rating.objects.get()
    assert (rating.score, rating.comment, rating.rated_by) == (4, "Todo perfecto", cast.customer)

    other = reverse("portal:rate_link", args=[rating_token(ticket, cast.contacts["customer"], 1)])
    assert "Ya has valorado este caso" in client.get(other).content.decode()
    client.post(other, {"score": "1"})
    assert Rating.objects.get().score == 4


def test_email_link_of_a_stranger_or_deactivated_contact_is_refused(client, cast, make_ticket):
    from ventanilla.organizations.services import contact_deactivate

    ticket = resolved(cast, make_ticket)
    stranger = reverse(
        "portal:rate_link", args=[rating_token(ticket, cast.contacts["outsider"], 5)]
    )
    assert client.post(stranger, {"score": "5"}).status_code == 400
    link = reverse("portal:rate_link", args=[rating_token(ticket, cast.contacts["customer"], 5)])
    contact_deactivate(contact=cast.contacts["customer"], by=cast.admin)
    assert client.post(link, {"score": "5"}).status_code == 400
    assert client.get(reverse("portal:rate_link", args=["forged"])).status_code == 400
    assert not Rating.objects.exists()


def test_home_costs_constant_queries(client, cast, make_ticket):
    client.force_login(cast.admin)

    def count():
        with CaptureQueriesContext(connection) as context:
            assert client.get(HOME).status_code == 200
        return len(context.captured_queries)

    resolved(cast, make_ticket)
    make_ticket()
    few = count()
    for _index in range(REMINDER_SIZE + 3):
        resolved(cast, make_ticket, role="colleague")
        waiting = make_ticket(role="admin")
        ticket_transition(ticket=waiting, to_status=Status.WAITING_ON_CUSTOMER, by=cast.agent_l1)
    assert count() == few


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    plan=st.lists(
        st.tuples(st.sampled_from(["customer", "outsider", "admin"]), st.booleans()),
        min_size=1,
        max_size=5,
    )
)
def test_a_customer_never_sees_or_rates_another_organizations_cases(
    client, cast, make_ticket, plan
):
    Rating.objects.all().delete()
    tickets = []
    for role, rated in plan:
        ticket = resolved(cast, make_ticket, role=role, product=None)
        if rated:
            rating_record(ticket=ticket, score=3, by=cast.users[role])
        tickets.append((ticket, role))
    for viewer in ("customer", "admin", "outsider"):
        client.force_login(cast.users[viewer])
        html = client.get(HOME).content.decode()
        viewer_org = cast.contacts[viewer].organization_id
        for ticket, _role in tickets:
            if ticket.organization_id != viewer_org:
                assert ticket.number not in html
                before = Rating.objects.count()
                url = reverse("portal:rate", args=[ticket.pk])
                assert client.post(url, {"score": "1"}, **HTMX).status_code == 404
                assert Rating.objects.count() == before
