"""The console's SLA compliance page: numbers, constant queries, and how it looks."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ventanilla.testing.browser import login, screenshot
from ventanilla.testing.cast import PASSWORD
from ventanilla.tickets.services import ticket_assign, ticket_reply, ticket_transition


def build(cast, make_ticket, count=1):
    """Per round: an answered-in-time A case (org A), a late one (org B), an open B case."""
    now = timezone.now()
    for index in range(count):
        start = now - timedelta(days=3, hours=index)
        ok = make_ticket(severity="A", subject=f"Sin acceso al ERP {index}", now=start)
        ticket_reply(
            ticket=ok, by=cast.agent_l1, text="Lo miramos.", now=start + timedelta(minutes=20)
        )
        late = make_ticket(
            role="outsider", severity="A", subject=f"Bodega sin red {index}", now=start
        )
        ticket_reply(ticket=late, by=cast.agent_l2, text="Perdón.", now=start + timedelta(hours=3))
        ticket_transition(
            ticket=late, to_status="resolved", by=cast.agent_l2, now=start + timedelta(hours=4)
        )
        live = make_ticket(
            severity="B", subject=f"Lentitud al facturar {index}", now=now - timedelta(hours=1)
        )
        ticket_assign(ticket=live, by=cast.supervisor, assignee=cast.agent_l1)
        urgent = make_ticket(
            severity="A", subject=f"Caída total {index}", now=now - timedelta(minutes=50)
        )
        ticket_assign(ticket=urgent, by=cast.supervisor, assignee=cast.agent_l2)


@pytest.mark.django_db
def test_report_shows_compliance_and_next_deadlines(client, cast, make_ticket):
    build(cast, make_ticket)
    client.force_login(cast.supervisor)
    page = client.get(reverse("console:sla_report")).content.decode()
    assert "Cumplimiento del SLA" in page
    assert "Talleres Ebro S.L." in page and "Bodegas Albar S.A." in page
    assert "100,0 %" in page and "0,0 %" in page
    assert page.index("Caída total 0") < page.index("Lentitud al facturar 0")  # soonest first
    internal = client.get(reverse("console:sla_report"), {"kind": "internal", "months": "all"})
    assert (
        internal.status_code == 200 and 'aria-pressed="true">Interno' in internal.content.decode()
    )
    bogus = client.get(reverse("console:sla_report"), {"kind": "x", "months": "y"})
    assert bogus.status_code == 200


@pytest.mark.django_db
def test_report_costs_constant_queries(client, cast, make_ticket):
    client.force_login(cast.supervisor)
    url = reverse("console:sla_report")
    build(cast, make_ticket, 1)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    build(cast, make_ticket, 4)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(few.captured_queries) == len(many.captured_queries)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_report_in_the_browser(page, live_server, cast, make_ticket):
    build(cast, make_ticket, 2)
    login(page, live_server.url, cast.supervisor.email, PASSWORD)
    page.goto(live_server.url + reverse("console:sla_report"))
    assert page.locator("h1").inner_text() == "Cumplimiento del SLA"
    assert page.locator(".sla-badge--warning, .sla-badge--ok").count() >= 2
    screenshot(page, "sla-report")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    screenshot(page, "sla-report-mobile")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_partials_look_right(page, live_server, cast, make_ticket):
    """The partials other pages include, rendered with the real stylesheet, for review."""
    from django.template import Context, Template
    from django.utils import translation

    now = timezone.now()
    ticket = make_ticket(severity="A", priority="high", now=now - timedelta(hours=3))
    ticket_transition(
        ticket=ticket,
        to_status="waiting_on_customer",
        by=cast.agent_l1,
        now=now - timedelta(hours=2),
    )
    ticket_reply(ticket=ticket, by=cast.customer, text="Dato", now=now - timedelta(minutes=30))
    ticket_reply(ticket=ticket, by=cast.agent_l1, text="Gracias", now=now - timedelta(minutes=25))
    ticket_reply(ticket=ticket, by=cast.customer, text="¿Algo más?", now=now - timedelta(minutes=5))
    waiting = make_ticket(severity="B", now=now - timedelta(hours=1))
    ticket_transition(ticket=waiting, to_status="waiting_on_customer", by=cast.agent_l1, now=now)
    source = (
        "{% load sla_tags %}<main style='max-width:1000px;margin:24px auto;display:grid;gap:16px'>"
        "{% sla_promise ticket %}{% sla_promise waiting %}{% sla_badges ticket %}"
        "{% sla_explain ticket %}</main>"
    )
    with translation.override("es"):
        html = Template(source).render(Context({"ticket": ticket, "waiting": waiting}))
    css = f"{live_server.url}/static/css/ventanilla.css"
    page.set_content(
        f"<html lang='es'><head><link rel='stylesheet' href='{css}'></head>"
        f"<body>{html}</body></html>"
    )
    page.wait_for_load_state("networkidle")
    assert page.locator(".sla-promise").count() == 2
    screenshot(page, "sla-partials")
